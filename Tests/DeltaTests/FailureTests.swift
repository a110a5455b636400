import Delta
import FixtureSupport
import Foundation
import MappedIO
import Testing

/// A wrong base, damaged deltas and existing outputs: each a clear error, nothing written.
@Suite struct FailureTests {
    let directory = TemporaryDirectory()
    let base = Fixtures.path("tf2_keras_adam/ckpt-10")
    let target = Fixtures.path("tf2_keras_adam/ckpt-11")

    func makeDelta() throws -> String {
        let path = directory.path("d.delta")
        if !FileSystem.exists(path) { try DeltaCreator().create(base: base, target: target, output: path) }
        return path
    }

    func apply(_ delta: String, base: String?, into name: String = "out") -> (any Error)? {
        do {
            try DeltaApplier().apply(delta: delta, base: base, into: directory.path(name))
            return nil
        } catch {
            return error
        }
    }

    /// No file of the target in `name`, and nothing that looks like a checkpoint.
    func nothingWritten(_ name: String = "out") throws -> Bool {
        guard FileSystem.exists(directory.path(name)) else { return true }
        return try FileSystem.contents(ofDirectory: directory.path(name)).isEmpty
    }

    @Test func wrongBaseIsRefusedAndNamed() throws {
        let delta = try makeDelta()
        let error = apply(delta, base: Fixtures.path("tf2_keras_adam/ckpt-3")) as? DeltaError
        #expect(error?.code == .wrongBase)
        #expect(error?.cause.contains("ckpt-3") == true && error?.cause.contains("ckpt-10") == true)
        #expect(try nothingWritten())
        #expect((apply(delta, base: nil) as? DeltaError)?.code == .usage)
    }

    @Test func everySectionIsChecked() throws {
        let delta = try makeDelta()
        let clean = TestFiles.read(delta)
        let file = try DeltaFile(path: delta)
        let manifest = file.manifest
        var offsets: [(String, Int)] = [
            ("header", 3), ("index section", manifest.indexSection + 12), ("trailer", clean.count - 20),
            ("end magic", clean.count - 1),
        ]
        for run in manifest.files[0].runs {
            if case .chunk(_, _, _, let section, _, _) = run { offsets.append(("chunk", section + 10)) }
        }
        let trailer = clean.count - 32
        let manifestOffset = Int(
            clean[trailer..<(trailer + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) })
        offsets.append(("manifest", manifestOffset + 12))
        for (what, offset) in offsets {
            var damaged = clean
            damaged[offset] ^= 0x10
            TestFiles.write(damaged, to: directory.path("damaged.delta"))
            let error = apply(directory.path("damaged.delta"), base: base)
            #expect((error as? DeltaError)?.code == .corrupt, "\(what) at \(offset): \(String(describing: error))")
            #expect(try nothingWritten(), "\(what)")
        }
    }

    @Test func truncatedDeltas() throws {
        let clean = TestFiles.read(try makeDelta())
        for length in [0, 7, 16, 100, clean.count / 2, clean.count - 33, clean.count - 1] {
            TestFiles.write(Array(clean.prefix(length)), to: directory.path("cut.delta"))
            let error = apply(directory.path("cut.delta"), base: base)
            #expect((error as? DeltaError)?.code == .corrupt, "cut to \(length): \(String(describing: error))")
            #expect(try nothingWritten())
        }
    }

    @Test func existingOutputsAreNotOverwritten() throws {
        let delta = try makeDelta()
        try FileSystem.createDirectory(directory.path("out"))
        TestFiles.write([42], to: directory.path("out/ckpt-11.index"))
        #expect((apply(delta, base: base) as? FileError)?.code == .alreadyExists)
        #expect(TestFiles.read(directory.path("out/ckpt-11.index")) == [42])
        try DeltaApplier().apply(delta: delta, base: base, into: directory.path("out"), replacing: .regularFile())
        #expect(TestFiles.read(directory.path("out/ckpt-11.index")) == TestFiles.read(target + ".index"))
        let again = #expect(throws: FileError.self) {
            try DeltaCreator().create(base: base, target: target, output: delta)
        }
        #expect(again?.code == .alreadyExists)
    }

    @Test func aBaseChangedAfterCreationIsCaughtBeforeAnythingIsVisible() throws {
        let folder = directory.copy(fixture: "tf2_keras_adam")
        let delta = directory.path("copy.delta")
        try DeltaCreator().create(base: folder + "/ckpt-10", target: target, output: delta)
        var data = TestFiles.read(folder + "/ckpt-10.data-00000-of-00001")
        data[100] ^= 1
        TestFiles.write(data, to: folder + "/ckpt-10.data-00000-of-00001")
        #expect((apply(delta, base: folder + "/ckpt-10") as? DeltaError)?.code == .wrongBase)
        #expect(try nothingWritten())
    }
}

extension FailureTests {
    /// The first base byte the delta reads (a copy's source or a chunk's reference).
    static func firstBaseByteRead(_ manifest: Manifest) -> Int {
        manifest.files[0].runs.lazy.compactMap { run -> Int? in
            switch run {
            case .copy(_, let offset, _, _): offset
            case .chunk(_, _, _, _, let reference?, _): reference.offset
            default: nil
            }
        }.first!
    }

    /// A base whose data file changed where the delta reads it is named: the file, what it holds
    /// and what the delta needs. Nothing becomes visible.
    @Test func changedBaseDataFileIsNamed() throws {
        let delta = try makeDelta()
        let copy = directory.path("base")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        for suffix in [".index", ".data-00000-of-00001"] {
            try FileManager.default.copyItem(atPath: base + suffix, toPath: copy + "/ckpt-10" + suffix)
        }
        var bytes = TestFiles.read(copy + "/ckpt-10.data-00000-of-00001")
        bytes[Self.firstBaseByteRead(try DeltaFile(path: delta).manifest)] ^= 0x10
        TestFiles.write(bytes, to: copy + "/ckpt-10.data-00000-of-00001")
        let error = apply(delta, base: copy + "/ckpt-10") as? DeltaError
        #expect(error?.code == .wrongBase)
        #expect(error?.cause.contains(copy + "/ckpt-10.data-00000-of-00001 holds") == true, "\(String(describing: error))")
        #expect(try nothingWritten())
    }

    /// Base bytes the delta never reads do not matter: the rebuilt target still matches its
    /// recorded hash byte for byte, and apply does not read the whole base to find out.
    @Test func baseBytesTheDeltaDoesNotReadDoNotMatter() throws {
        let delta = try makeDelta()
        let manifest = try DeltaFile(path: delta).manifest
        var read = Set<Int>()
        for run in manifest.files[0].runs {
            switch run {
            case .copy(_, let offset, let length, _): read.formUnion(offset..<(offset + length))
            case .chunk(let length, _, _, _, let reference?, _): read.formUnion(reference.offset..<(reference.offset + length))
            case .predicted(let length, _, _, let prediction, _):
                for input in prediction.inputs where input.source == .base { read.formUnion(input.offset..<(input.offset + length)) }
            default: break
            }
        }
        let folder = directory.copy(fixture: "tf2_keras_adam")
        var bytes = TestFiles.read(folder + "/ckpt-10.data-00000-of-00001")
        let unread = try #require(bytes.indices.first { !read.contains($0) })
        bytes[unread] ^= 0x10
        TestFiles.write(bytes, to: folder + "/ckpt-10.data-00000-of-00001")
        try DeltaApplier().apply(delta: delta, base: folder + "/ckpt-10", into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(target))
    }
}

extension FailureTests {
    /// A failure of the file system reaches the caller whole, as the file system's error: its
    /// kind, the operating system's error number, and one line naming the file.
    @Test func errorsKeepTheirCause() throws {
        let file = #expect(throws: FileError.self) {
            try DeltaCreator().create(base: base, target: target, output: directory.path("missing/d.delta"))
        }
        #expect(file?.code == .notFound && file?.errno == .noSuchFile)
        #expect(file?.description.hasPrefix(directory.path("missing/d.delta")) == true)
    }
}
