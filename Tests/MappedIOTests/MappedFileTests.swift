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
        let replacing = try OutputFile(path: target, replacing: .regularFile())
        try replacing.write([1])
        try replacing.commit()
        #expect(TestFiles.read(target) == [1])
    }
}

/// The one rule for what an output may replace (`--force`): a regular file that is not an
/// input, never a link (nor its target), a directory, a FIFO or a device.
@Suite struct ReplacementTests {
    @Test func forceReplacesOnlyARegularFileThatIsNotAnInput() throws {
        let directory = TemporaryDirectory()
        let input = directory.path("input")
        TestFiles.write([1], to: input)
        let other = directory.path("other")
        TestFiles.write([2], to: other)
        let rule = Replacement.regularFile().protecting([input])
        // An input is never replaced, by any name that reaches it: itself, a hard link.
        #expect(link(input, directory.path("hard")) == 0)
        for name in ["input", "hard"] {
            let refused = #expect(throws: FileError.self) { try OutputFile.write([9], to: directory.path(name), replacing: rule) }
            #expect(refused?.code == .notReplaceable && refused?.cause.contains("input") == true)
        }
        // A link is never followed to replace its target, nor replaced itself.
        #expect(symlink(other, directory.path("link")) == 0)
        let linked = #expect(throws: FileError.self) { try OutputFile.write([9], to: directory.path("link"), replacing: rule) }
        #expect(linked?.cause.contains("symbolic link") == true)
        // A dangling link is not a free name either, with or without --force.
        #expect(symlink(directory.path("nowhere"), directory.path("dangling")) == 0)
        #expect(throws: FileError.self) { try OutputFile.write([9], to: directory.path("dangling")) }
        #expect(throws: FileError.self) { try OutputFile.write([9], to: directory.path("dangling"), replacing: rule) }
        // A FIFO, a device and a directory are never replaced.
        #expect(mkfifo(directory.path("fifo"), 0o644) == 0)
        for special in [directory.path("fifo"), "/dev/null", directory.path("")] {
            let refused = #expect(throws: FileError.self) { try OutputFile.write([9], to: special, replacing: rule) }
            #expect(refused?.code == .notReplaceable, "\(special)")
        }
        #expect(TestFiles.read(input) == [1] && TestFiles.read(other) == [2])
        // What is left is a regular file that is no input: replaced.
        try OutputFile.write([3], to: other, replacing: rule)
        #expect(TestFiles.read(other) == [3])
        // Without --force, nothing existing is replaced.
        let refused = #expect(throws: FileError.self) { try OutputFile.write([4], to: other) }
        #expect(refused?.code == .alreadyExists && refused?.cause.contains("--force") == true)
    }

    @Test func aPathThatTurnsIntoALinkBeforeTheCommitIsNotReplaced() throws {
        let directory = TemporaryDirectory()
        let target = directory.path("out")
        let victim = directory.path("victim")
        TestFiles.write([1], to: target)
        TestFiles.write([7], to: victim)
        let file = try OutputFile(path: target, replacing: .regularFile())
        try file.write([2])
        #expect(unlink(target) == 0 && symlink(victim, target) == 0)
        #expect(throws: FileError.self) { try file.commit() }
        #expect(TestFiles.read(victim) == [7])
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
