import Archive
import FixtureSupport
import Foundation
import MappedIO
import TensorBundle
import Testing

/// An archive run takes its checkpoints from a source that may bring their files in only as
/// each step comes up (a training folder in a store): one run stages each new step once, in
/// step order, keeps the one before it while it is encoded against it, and archives the same
/// bytes as from the directory itself.
struct CheckpointSourceTests {
    /// The checkpoints of a training directory, copied into `staging` one at a time when staged,
    /// the files of the step staged two calls before removed.
    struct CopyingSource: CheckpointSource {
        let original: TrainingDirectory
        let run: TrainingRun
        let staging: String
        var staged: [Int64] = []

        init(_ directory: String, staging: String) throws {
            original = try TrainingDirectory(path: directory)
            run = TrainingRun(try CheckpointDirectory(path: directory), filesIn: staging)
            self.staging = staging
        }

        func dataBytes(of checkpoint: TrainingRun.Checkpoint) -> Int64 {
            original.run.checkpoints.first { $0.step == checkpoint.step }.map(original.dataBytes(of:)) ?? 0
        }

        mutating func stage(_ checkpoint: TrainingRun.Checkpoint) {
            let source = original.run.checkpoints.first { $0.step == checkpoint.step }!.prefix
            for path in BundleFiles.existing(prefix: source) {
                try! FileManager.default.copyItem(atPath: path, toPath: staging + "/" + Path.fileName(of: path))
            }
            if staged.count >= 2, let old = run.checkpoints.first(where: { $0.step == staged[staged.count - 2] }) {
                for path in BundleFiles.existing(prefix: old.prefix) { try! FileManager.default.removeItem(atPath: path) }
            }
            staged.append(checkpoint.step)
        }
    }

    @Test func aStagedRunArchivesTheSameBytesStagingEachNewStepOnce() throws {
        let directory = TemporaryDirectory()
        let run = Fixtures.path("tf2_keras_adam")
        try FileManager.default.createDirectory(atPath: directory.path("staging"), withIntermediateDirectories: true)
        var source = try CopyingSource(run, staging: directory.path("staging"))
        let steps = source.run.checkpoints.map(\.step)
        // Half the run archived from the directory itself, the rest from the staged source.
        let early = directory.path("early")
        try FileManager.default.createDirectory(atPath: early, withIntermediateDirectories: true)
        for prefix in source.original.run.checkpoints.prefix(steps.count / 2).map(\.prefix) {
            for path in BundleFiles.existing(prefix: prefix) {
                try FileManager.default.copyItem(atPath: path, toPath: early + "/" + Path.fileName(of: path))
            }
        }
        try Archiver().archive(run: early, into: directory.path("staged"))
        let report = try Archiver().archive(&source, into: directory.path("staged"))
        #expect(source.staged == Array(steps.dropFirst(steps.count / 2)), "each new step staged once, in order")
        #expect(report.added.map(\.step) == source.staged)
        // The same archive as one made from the directory itself, file by file.
        try Archiver().archive(run: early, into: directory.path("direct"))
        try Archiver().archive(run: run, into: directory.path("direct"))
        let staged = try ArchiveManifest.existing(directory: directory.path("staged"))
        let direct = try ArchiveManifest.existing(directory: directory.path("direct"))
        #expect(staged.entries.map(\.file) == direct.entries.map(\.file))
        #expect(staged.entries.map(\.hash) == direct.entries.map(\.hash))
    }
}
