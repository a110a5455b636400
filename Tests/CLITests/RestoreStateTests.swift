import FixtureSupport
import Foundation
import Testing

/// A restore never moves a training run's latest checkpoint in silence, never mangles a state
/// file, and never leaves scratch data in the user's folder for good.
@Suite struct RestoreStateTests {
    static func archive(_ directory: TemporaryDirectory) throws -> String {
        let archive = directory.path("archive")
        let archived = try ToolRunner.run("ckptdelta", ["archive", "--quiet", Fixtures.path("tf2_keras_adam"), archive])
        #expect(archived.status == 0, "\(archived.standardError)")
        return archive
    }

    @Test func anExistingStateFileIsKeptUnlessForced() throws {
        let directory = TemporaryDirectory()
        let archive = try Self.archive(directory)
        let train = directory.path("train")
        try FileManager.default.createDirectory(atPath: train, withIntermediateDirectories: false)
        let state = Array("model_checkpoint_path: \"ckpt-40\"\nall_model_checkpoint_paths: \"ckpt-40\"\n".utf8)
        TestFiles.write(state, to: train + "/checkpoint")
        let kept = try ToolRunner.run("ckptdelta", ["restore", archive, "--step", "10", "-o", train])
        #expect(kept.status == 0, "\(kept.standardError)")
        #expect(TestFiles.read(train + "/checkpoint") == state)
        #expect(kept.standardError.contains("kept as it is (restoring with --force makes the step the latest)"), "\(kept.standardError)")
        #expect(kept.standardError.contains("starts from ckpt-40"), "\(kept.standardError)")
        #expect(kept.standardError.contains("model_checkpoint_path: \"ckpt-10\""), "\(kept.standardError)")
        #expect(FileManager.default.fileExists(atPath: train + "/ckpt-10.index"))
        let forced = try ToolRunner.run("ckptdelta", ["restore", archive, "--step", "10", "-o", train, "--force"])
        #expect(forced.status == 0 && forced.standardError.isEmpty, "\(forced.standardError)")
        #expect(
            String(decoding: TestFiles.read(train + "/checkpoint"), as: UTF8.self)
                == "model_checkpoint_path: \"ckpt-10\"\nall_model_checkpoint_paths: \"ckpt-40\"\nall_model_checkpoint_paths: \"ckpt-10\"\n")
    }

    @Test func aStateFileThatCannotBeUpdatedFaithfullyIsNeverMangled() throws {
        let directory = TemporaryDirectory()
        let archive = try Self.archive(directory)
        let cases = [
            // The latest is not among the checkpoints it lists.
            "model_checkpoint_path: \"ckpt-40\"\nall_model_checkpoint_paths: \"ckpt-3\"\n",
            // One timestamp for two checkpoints.
            "model_checkpoint_path: \"ckpt-40\"\nall_model_checkpoint_paths: \"ckpt-3\"\nall_model_checkpoint_paths: \"ckpt-40\"\nall_model_checkpoint_timestamps: 1.5\n",
            // Not a state file TensorFlow reads.
            "model_checkpoint_path: \"ckpt-40\"\nsomething_else: 1\n",
        ]
        for (index, text) in cases.enumerated() {
            let train = directory.path("train-\(index)")
            try FileManager.default.createDirectory(atPath: train, withIntermediateDirectories: false)
            TestFiles.write(Array(text.utf8), to: train + "/checkpoint")
            let result = try ToolRunner.run("ckptdelta", ["restore", archive, "--step", "10", "-o", train, "--force"])
            #expect(result.status == 1, "\(text): \(result.standardError)")
            #expect(result.standardError.contains("kept as it is"), "\(result.standardError)")
            #expect(TestFiles.read(train + "/checkpoint") == Array(text.utf8))
            #expect(try TestFiles.checkpoint(train + "/ckpt-10") == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-10")))
        }
    }

    /// A killed restore leaves its scratch directory in the output folder; the next restore
    /// there removes it, and never one that a living restore holds.
    @Test func aKilledRestoresScratchIsRemovedByTheNext() throws {
        let directory = TemporaryDirectory()
        let archive = try Self.archive(directory)
        let output = directory.path("out")
        let dead = output + "/.ckptdelta-scratch-k1lled"
        try FileManager.default.createDirectory(atPath: dead + "/1", withIntermediateDirectories: true)
        TestFiles.write([UInt8](repeating: 7, count: 4096), to: dead + "/1/ckpt-3.data-00000-of-00001")
        // A living one: this process holds its lock, as a running restore does.
        let living = output + "/.ckptdelta-scratch-a1ive"
        try FileManager.default.createDirectory(atPath: living, withIntermediateDirectories: false)
        let lock = open(living, O_RDONLY | O_DIRECTORY)
        #expect(lock >= 0 && flock(lock, LOCK_EX) == 0)
        defer { close(lock) }
        // Not ours by name: never touched.
        let foreign = output + "/.ckptdelta-scratch-NOT-OURS"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        let result = try ToolRunner.run("ckptdelta", ["restore", archive, "--latest", "-o", output])
        #expect(result.status == 0, "\(result.standardError)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: output))
        #expect(!names.contains(".ckptdelta-scratch-k1lled"))
        #expect(names.contains(".ckptdelta-scratch-a1ive") && names.contains(".ckptdelta-scratch-NOT-OURS"))
        #expect(names.filter { $0.hasPrefix(".ckptdelta-scratch-") }.count == 2)
    }
}
