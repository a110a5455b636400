import MappedIO
import TensorBundle

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

    /// Lists `path`: every prefix with an `.index` whose name ends in `-STEP` (`ckpt-40`,
    /// `model.ckpt-40`), as TensorFlow's savers name them.
    public init(path: String) throws(ArchiveError) {
        let directory: CheckpointDirectory
        do {
            directory = try CheckpointDirectory(path: path)
        } catch {
            throw ArchiveError(error)
        }
        var byStep: [Int64: Checkpoint] = [:]
        var ignored: [(String, String)] = []
        for prefix in directory.prefixes {
            let name = Path.fileName(of: prefix)
            guard let step = BundleFiles.step(of: name) else {
                ignored.append((name, "no step number at the end of its name"))
                continue
            }
            if let other = byStep[step] {
                ignored.append((name, "step \(step) is also \(other.name)"))
                continue
            }
            byStep[step] = Checkpoint(step: step, prefix: prefix)
        }
        self.path = path
        self.checkpoints = byStep.values.sorted { $0.step < $1.step }
        self.ignored = ignored
    }
}
