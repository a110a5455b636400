import FixtureSupport
import Foundation
import Testing

/// Work is bounded by what a checkpoint or a delta records, not by what a file claims: a
/// terabyte of sparse bytes that no tensor and no recorded size accounts for is refused
/// before it is read, never read (reading it would take many minutes).
@Suite struct BoundedWorkTests {
    /// Four TiB of holes: reading them, at the ~10 GB/s the page cache gives zeros, takes
    /// over 400 seconds, far past the time limit each command gets here.
    static let sparse: Int64 = 4 << 40

    static func extend(_ path: String, by bytes: Int64) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: try handle.seekToEnd() + UInt64(bytes))
        try handle.close()
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> ToolRunner.Result {
        let result = try ToolRunner.run(tool, arguments, timeLimit: 60)
        #expect(!result.timedOut && result.signal == nil, "\(tool) \(arguments): ran past its time (it read the holes)")
        return result
    }

    @Test func aSparseTailIsRefusedBeforeItIsRead() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let data = run + "/ckpt-11.data-00000-of-00001"
        try Self.extend(data, by: Self.sparse)
        // ckptverify reads only what tensors claim, and warns about the rest.
        let verified = try Self.run("ckptverify", [run + "/ckpt-11"])
        #expect(verified.status == 0, "\(verified.standardError)")
        #expect(verified.standardOutput.contains("trailing bytes"), "\(verified.standardOutput)")
        // create and archive read every byte: they refuse, naming the file.
        let created = try Self.run("ckptdelta", ["create", run + "/ckpt-10", run + "/ckpt-11", "-o", directory.path("d")])
        #expect(created.status == 2 && created.standardError.contains(data), "\(created.standardError)")
        #expect(created.standardError.contains("belong to nothing the checkpoint records"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("d")))
        let archived = try Self.run("ckptdelta", ["archive", run, directory.path("archive")])
        #expect(archived.status == 1, "\(archived.standardError)")
        #expect(archived.standardError.contains("ckpt-11: not archived") && archived.standardError.contains(data))
        #expect(archived.standardOutput.contains("5 step(s) added, 1 skipped"), "\(archived.standardOutput)")
    }

    /// A wrong base whose `.index` is a terabyte is refused by its size, not hashed first.
    @Test func aWrongBaseIsRefusedByItsSize() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let delta = directory.path("d.ckptdelta")
        #expect(try Self.run("ckptdelta", ["create", run + "/ckpt-10", run + "/ckpt-11", "-o", delta]).status == 0)
        try Self.extend(run + "/ckpt-10.index", by: Self.sparse)
        let applied = try Self.run("ckptdelta", ["apply", run + "/ckpt-10", delta, "-o", directory.path("out")])
        #expect(applied.status == 2, "\(applied.standardError)")
        #expect(applied.standardError.contains("is not the base of") && applied.standardError.contains("the delta needs"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("out/ckpt-11.index")))
    }

    /// An archive's files are checked by their recorded sizes before they are hashed, and a
    /// companion larger than any MetaGraph is refused before it is read.
    @Test func archiveFilesAreCheckedByTheirSizeFirst() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf1_saver")
        let archive = directory.path("archive")
        #expect(try Self.run("ckptdelta", ["archive", "--quiet", run, archive]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: archive)
        let delta = archive + "/" + (try #require(names.first { $0.hasSuffix(".ckptdelta") }))
        try Self.extend(delta, by: Self.sparse)
        let verified = try Self.run("ckptdelta", ["verify", archive])
        #expect(verified.status == 1 && verified.standardOutput.contains(delta), "\(verified.standardOutput)")
        // A new step whose .meta is four TiB is skipped, not read.
        let next = run + "/model.ckpt-60"
        for suffix in [".index", ".data-00000-of-00001", ".meta"] {
            try FileManager.default.copyItem(atPath: run + "/model.ckpt-50" + suffix, toPath: next + suffix)
        }
        try Self.extend(next + ".meta", by: Self.sparse)
        let fresh = directory.path("fresh")
        let archived = try Self.run("ckptdelta", ["archive", run, fresh])
        #expect(archived.status == 1 && archived.standardError.contains("model.ckpt-60.meta"), "\(archived.standardError)")
    }
}
