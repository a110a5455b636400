import FixtureSupport
import Glibc
import MappedIO
import Testing

@Suite struct MappedFileTests {
    @Test func mapsContents() throws {
        let directory = TemporaryDirectory()
        TestFiles.write([1, 2, 3, 4, 5], to: directory.path("five"))
        let file = try MappedFile(path: directory.path("five"))
        #expect(file.count == 5)
        #expect(file.withUnsafeBytes { Array($0) } == [1, 2, 3, 4, 5])
    }

    @Test func emptyFilesLendAnEmptyBuffer() throws {
        let directory = TemporaryDirectory()
        TestFiles.write([], to: directory.path("empty"))
        let file = try MappedFile(path: directory.path("empty"))
        #expect(file.count == 0)
        #expect(file.withUnsafeBytes { $0.count } == 0)
    }

    @Test func failuresNameTheFileAndCause() {
        let directory = TemporaryDirectory()
        let missing = #expect(throws: FileError.self) { try MappedFile(path: directory.path("nope")) }
        #expect(missing?.code == .notFound)
        #expect(missing?.description == "\(directory.path("nope")): No such file or directory")
        let folder = #expect(throws: FileError.self) { try MappedFile(path: directory.path) }
        #expect(folder?.code == .isDirectory)
    }
}

@Suite struct OutputFileTests {
    @Test func appearsOnlyOnCommit() throws {
        let directory = TemporaryDirectory()
        let target = directory.path("out")
        let file = try OutputFile(path: target)
        try file.write([1, 2, 3])
        #expect(!FileSystem.exists(target))
        #expect(FileSystem.exists(file.temporaryPath))
        try file.commit()
        #expect(TestFiles.read(target) == [1, 2, 3])
        #expect(!FileSystem.exists(file.temporaryPath))
    }

    @Test func abandonedFilesLeaveNothing() throws {
        let directory = TemporaryDirectory()
        var temporary = ""
        do {
            let file = try OutputFile(path: directory.path("out"))
            try file.write([9])
            temporary = file.temporaryPath
        }
        #expect(!FileSystem.exists(temporary))
        #expect(try FileSystem.contents(ofDirectory: directory.path).isEmpty)
    }

    @Test func neverOverwritesUnlessAsked() throws {
        let directory = TemporaryDirectory()
        let target = directory.path("out")
        TestFiles.write([7], to: target)
        let refused = #expect(throws: FileError.self) { try OutputFile(path: target) }
        #expect(refused?.code == .alreadyExists)
        // A file that appears between creation and commit is not clobbered either.
        let racing = try OutputFile(path: directory.path("late"))
        TestFiles.write([8], to: directory.path("late"))
        #expect(throws: FileError.self) { try racing.commit() }
        #expect(TestFiles.read(directory.path("late")) == [8])
        let replacing = try OutputFile(path: target, overwrite: true)
        try replacing.write([1])
        try replacing.commit(overwrite: true)
        #expect(TestFiles.read(target) == [1])
    }
}

@Suite struct LargeFileTests {
    /// A sparse file past 4 GiB maps whole, and its last bytes are where they should be.
    @Test func mapsFilesLargerThanFourGiB() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("large")
        let size = (5 << 30) + 3
        let file = try OutputFile(path: path)
        try file.write([0xAB])
        try file.commit()
        let fd = open(path, O_WRONLY)
        #expect(ftruncate(fd, off_t(size)) == 0)
        let tail: [UInt8] = [1, 2, 3]
        #expect(pwrite(fd, tail, 3, off_t(size - 3)) == 3)
        close(fd)
        let mapped = try MappedFile(path: path)
        #expect(mapped.count == size)
        mapped.withUnsafeBytes { raw in
            #expect(raw[0] == 0xAB)
            #expect([raw[size - 3], raw[size - 2], raw[size - 1]] == tail)
            #expect(raw[4 << 30] == 0)
        }
    }
}
