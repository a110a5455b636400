import FixtureSupport
import MappedIO
import Testing

/// A file's version stays while it is only read, and changes when it is written (even to the
/// same size) or replaced.
struct FileVersionTests {
    @Test func aWriteOrAReplacementChangesTheVersion() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("f")
        TestFiles.write([1, 2, 3], to: path)
        let first = FileVersion(path: path)
        _ = TestFiles.read(path)
        #expect(first != nil && FileVersion(path: path) == first)
        TestFiles.write([1, 2, 4], to: path)
        #expect(FileVersion(path: path) != first)
        let second = FileVersion(path: path)
        try OutputFile.write([1, 2, 4], to: path, replacing: .regularFile())
        #expect(FileVersion(path: path) != second)
        #expect(FileVersion(path: directory.path("missing")) == nil)
    }
}
