import Delta
import FixtureSupport
import Foundation
import Glibc
import MappedIO
import Testing

/// `apply` writes data files with O_DIRECT where the file system takes it: the rebuilt bytes
/// never enter the page cache, which is what keeps apply at the disk's write speed. Observed
/// from outside, with mincore(2): the pages of a file written that way are not resident.
struct DirectWriteTests {
    /// How many of the file's pages are in the page cache.
    static func residentPages(_ path: String) throws -> Int {
        let file = try MappedFile(path: path)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (file.count + page - 1) / page)
        let status = file.withUnsafeBytes { bytes in mincore(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count, &vector) }
        #expect(status == 0)
        return vector.filter { $0 & 1 == 1 }.count
    }

    /// A pair without predicted runs (those are written through the page cache after the
    /// streamed pass): the dtype zoo and its changed copy.
    @Test(arguments: [true, false])
    func dataFilesBypassThePageCacheWhereTheFileSystemAllows(direct: Bool) throws {
        let directory = TemporaryDirectory()
        let (base, target) = (Fixtures.path("dtypes/zoo"), Fixtures.path("dtypes/zoo_b"))
        try DeltaCreator().create(base: base, target: target, output: directory.path("d"))
        var applier = DeltaApplier()
        applier.directWrites = direct
        try applier.apply(delta: directory.path("d"), base: base, into: directory.path("out"))
        let data = directory.path("out/zoo_b.data-00000-of-00001")
        #expect(TestFiles.read(data) == TestFiles.read(target + ".data-00000-of-00001"))
        // Reading it back above would cache it: count on a fresh copy of the result instead.
        let resident = try Self.residentPagesAfterApply(direct: direct, base: base, directory: directory)
        if direct && FileSystem.acceptsDirectWrites(in: directory.path) {
            #expect(resident == 0, "\(resident) pages of the rebuilt data file are cached")
        } else {
            #expect(resident > 0)
        }
    }

    /// Applies again into a second directory and counts the resident pages of its data file
    /// before anything reads it.
    static func residentPagesAfterApply(direct: Bool, base: String, directory: TemporaryDirectory) throws -> Int {
        var applier = DeltaApplier()
        applier.directWrites = direct
        try applier.apply(delta: directory.path("d"), base: base, into: directory.path("again"))
        return try residentPages(directory.path("again/zoo_b.data-00000-of-00001"))
    }
}
