import Archive
import MappedIO
import ObjectStore
import TensorBundle

/// A training folder in an object store as the source of an archive run: each checkpoint the
/// archive adds is copied into a staging directory beside the one staged before it (its base,
/// when that is still in the run), and the one before that is removed, so the disk holds at
/// most two checkpoints whatever the run's length.
public struct StoreRun: CheckpointSource {
    public let run: TrainingRun
    private let folder: RemoteFolder
    private let staging: ScratchDirectory
    private let session: RemoteSession
    /// The file names of the two checkpoints staged last, the newest last.
    private var staged: [[String]] = []

    /// Lists the training folder `url`.
    ///
    /// - Throws: ``RemoteError`` when `url` names one checkpoint, not a folder, or when the
    ///   folder holds no checkpoint with a step number; ``StoreError`` when the store fails.
    public init(_ url: String, in session: RemoteSession) throws {
        let target = try RemoteTarget.locate(url, latestOnly: false, in: session)
        guard let directory = target.directory else { throw RemoteError(.usage, "\(url): a training folder is needed, not one checkpoint") }
        let staging = try ScratchDirectory.staging(standingFor: target.folder.location.description)
        let run = TrainingRun(directory, filesIn: staging.path)
        guard !run.checkpoints.isEmpty || !run.ignored.isEmpty else {
            throw RemoteError(.noSuchCheckpoint, "\(url): nothing to archive, no checkpoint with a step number in this folder")
        }
        self.run = run
        self.folder = target.folder
        self.staging = staging
        self.session = session
    }

    public func dataBytes(of checkpoint: TrainingRun.Checkpoint) -> Int64 {
        folder.objects(ofCheckpoint: checkpoint.name).filter { BundleFiles.parseData(fileName: $0.location.name) != nil }
            .reduce(0) { $0 + $1.size }
    }

    /// Downloads the checkpoint's objects (its `.meta` too) into the staging directory, then
    /// removes the files of the checkpoint staged two calls before.
    ///
    /// - Throws: ``StoreError`` when the store fails, `FileError` when a staged file cannot be
    ///   written.
    public mutating func stage(_ checkpoint: TrainingRun.Checkpoint) throws {
        let objects = folder.objects(ofCheckpoint: checkpoint.name, companions: true)
        let directory = staging.path
        try session.run(on: folder.location) { client in try await client.download(objects, into: directory) }
        staged.append(objects.map(\.location.name))
        if staged.count > 2 {
            for file in staged.removeFirst() { try? FileSystem.remove(Path.join(directory, file)) }
        }
    }
}
