import MappedIO
import TensorBundle
import TrainingState

/// The checkpoints of a training directory that carry a step number, in step order.
public struct TrainingRun: Sendable {
    /// A checkpoint of the run: its step and prefix.
    public struct Checkpoint: Sendable, Hashable {
        public let step: Int64
        public let prefix: String
        public var name: String { Path.fileName(of: prefix) }
    }

    public let path: String
    /// Checkpoints sorted by step, one per step.
    public let checkpoints: [Checkpoint]
    /// Checkpoints left out, each with the reason.
    public let ignored: [(name: String, reason: String)]
    /// What the directory holds, for a line saying there is nothing to archive in it.
    public let contents: String

    /// Lists `path`: every prefix with an `.index` whose name ends in `-STEP` (`ckpt-40`,
    /// `model.ckpt-40`), as TensorFlow's savers name them; any other checkpoint, and a second
    /// one of a step, is left out with the reason.
    public init(path: String) throws {
        let directory = try CheckpointDirectory(path: path)
        self.init(directory, filesIn: path)
    }

    /// The checkpoints of `directory` (a training folder in a store, say), each with its prefix
    /// in `path`, where its files are or will be copied.
    public init(_ directory: CheckpointDirectory, filesIn path: String) {
        var byStep: [Int64: Checkpoint] = [:]
        var ignored: [(String, String)] = []
        for found in directory.prefixes {
            let name = Path.fileName(of: found)
            let prefix = Path.join(path, name)
            guard let step = BundleFiles.step(of: name) else {
                ignored.append((name, Self.noStep(prefix)))
                continue
            }
            if let other = byStep[step] {
                ignored.append(
                    (name, "not archived, its step \(step) is also that of \(other.name) (an archive holds one checkpoint per step)"))
                continue
            }
            byStep[step] = Checkpoint(step: step, prefix: prefix)
        }
        self.path = path
        self.checkpoints = byStep.values.sorted { $0.step < $1.step }
        self.ignored = ignored
        self.contents = ForeignFormat.contents(of: directory)
    }

    /// Why a checkpoint whose name carries no step is left out, and how to archive it.
    private static func noStep(_ prefix: String) -> String {
        let name = Path.fileName(of: prefix)
        let base = "not archived, its name carries no step number (an archive keys steps by the number after the last -)"
        guard let bundle = try? CheckpointBundle(prefix: prefix), let recorded = TrainingState.recordedStep(in: bundle) else {
            return base
        }
        return base
            + "; its training state says step \(recorded.step) (\(recorded.source)): rename its files to \(name)-\(recorded.step).* to archive it"
    }
}
