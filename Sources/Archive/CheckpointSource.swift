import MappedIO
import TensorBundle

/// Where an archive run takes its checkpoints from: a training directory, or a copy of one
/// that brings each checkpoint's files in as its step comes up (a training folder in a store).
public protocol CheckpointSource {
    /// The run's checkpoints in step order, and those it leaves out; every prefix lies in the
    /// run's ``TrainingRun/path``.
    var run: TrainingRun { get }

    /// The bytes of the data files of `checkpoint`, for progress.
    func dataBytes(of checkpoint: TrainingRun.Checkpoint) -> Int64

    /// Makes the files of `checkpoint` readable at its prefix. Called once for each step an
    /// archive run adds, in step order; the files of the step staged before it stay until the
    /// next call (they may be its base).
    mutating func stage(_ checkpoint: TrainingRun.Checkpoint) throws
}

/// A training directory on a local disk: its checkpoints are there already.
public struct TrainingDirectory: CheckpointSource {
    public let run: TrainingRun

    /// Lists the training directory at `path` (see ``TrainingRun/init(path:)``).
    public init(path: String) throws {
        run = try TrainingRun(path: path)
    }

    public func dataBytes(of checkpoint: TrainingRun.Checkpoint) -> Int64 {
        BundleFiles.dataBytes(prefix: checkpoint.prefix)
    }

    public mutating func stage(_ checkpoint: TrainingRun.Checkpoint) {}
}
