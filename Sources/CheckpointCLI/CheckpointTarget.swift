import MappedIO
import RemoteCheckpoints
import TensorBundle
import TrainingState
import Verification

/// A checkpoint named on the command line: on a local disk (a V2 bundle, or a legacy V1
/// checkpoint), or in an object-store folder.
enum CheckpointTarget: Sendable {
    /// A V2 checkpoint on a local disk; `siblings`, the names of its directory when they were
    /// listed already (a training directory's checkpoints: the directory is listed once).
    case local(String, siblings: [String]? = nil)
    case legacy(String)
    case remote(RemoteCheckpoint)

    /// The checkpoint's prefix (`run/ckpt-10`, `s3://bucket/run/ckpt-10`).
    var prefix: String {
        switch self {
        case .local(let prefix, _), .legacy(let prefix): prefix
        case .remote(let checkpoint): checkpoint.prefix
        }
    }

    /// The local checkpoint at `prefix`: a legacy V1 one when it has no `.index` but V1 files.
    static func at(_ prefix: String) -> CheckpointTarget {
        !FileSystem.exists(BundleFiles.index(prefix: prefix)) && !LegacyCheckpoint.files(prefix: prefix).isEmpty
            ? .legacy(prefix) : .local(prefix)
    }

    /// The checkpoints `path` names, local or remote (see ``CheckpointLocator`` and
    /// ``RemoteTarget``), with the reports of the directories around them: a training
    /// directory's, a SavedModel's, each version's of a serving model.
    static func locate(_ path: String, latestOnly: Bool) throws -> (targets: [CheckpointTarget], directories: [DirectoryReport]) {
        if RemoteSession.isRemote(path) {
            let target = try RemoteTarget.locate(path, latestOnly: latestOnly, in: RemoteSession.shared())
            let reports = target.directory.map { [Verifier().verify(directory: $0, folders: target.folder.folders)] } ?? []
            return (target.checkpoints.map { .remote($0) }, reports)
        }
        let layout = try CheckpointLocator.layout(of: path)
        let prefixes = try CheckpointLocator.prefixes(in: layout, path: path, latestOnly: latestOnly).map(CheckpointTarget.at)
        switch layout {
        case .checkpoint, .legacy:
            return (prefixes, [])
        case .trainingDirectory(let directory):
            // Listed and its state file read once: the checks and every checkpoint use that reading.
            let listed = prefixes.map { target -> CheckpointTarget in
                guard case .local(let prefix, _) = target else { return target }
                return .local(prefix, siblings: directory.fileNames)
            }
            return (listed, [Verifier().verify(directory: directory)])
        case .savedModel(let model):
            return (prefixes, [Verifier().verify(savedModel: model)])
        case .servingModel(let serving):
            let versions = latestOnly ? Array(serving.versions.suffix(1)) : serving.versions
            return (prefixes, versions.map { Verifier().verify(savedModel: $0.model) })
        }
    }

    /// Opens the checkpoint and checks it with `verifier` (the structure, and the tensors'
    /// checksums unless it is structure-only). A legacy V1 checkpoint is checked as its format
    /// allows and read as a V2 bundle written into a staging directory.
    ///
    /// - Throws: ``ToolError`` when a V1 tensor does not decode, `FileError` when the index
    ///   cannot be read, `StoreError` when the store fails.
    func open(verifier: Verifier) throws -> (bundle: CheckpointBundle, report: CheckpointReport) {
        switch self {
        case .local(let prefix, let siblings):
            let bundle = try CheckpointBundle(prefix: prefix)
            return (bundle, verifier.verify(bundle, siblings: siblings))
        case .legacy(let prefix):
            let legacy = try LegacyCheckpoint(prefix: prefix)
            return (try Self.bundle(of: legacy), verifier.verify(legacy: legacy))
        case .remote(let checkpoint):
            let session = RemoteSession.shared()
            let bundle = try checkpoint.open(in: session)
            return (bundle, try checkpoint.verify(bundle, with: verifier, in: session))
        }
    }

    /// Verifies the checkpoint with `verifier`, with a progress bar on standard error when
    /// `showingProgress`, and returns the bundle it opened (nil when its index cannot be read,
    /// which is a finding for a local checkpoint). A store that fails throws its `StoreError`.
    func verify(with verifier: Verifier, showingProgress: Bool) throws -> (bundle: CheckpointBundle?, report: CheckpointReport) {
        switch self {
        case .local(let prefix, let siblings):
            let bundle: CheckpointBundle
            do {
                bundle = try CheckpointBundle(prefix: prefix)
            } catch {
                return (nil, Verifier.unreadable(prefix: prefix, cause: error.cause))
            }
            var verifier = verifier
            let meter = ProgressMeter.start(label: Path.fileName(of: bundle.prefix), if: showingProgress)
            verifier.progress = meter?.progress
            defer { meter?.finish() }
            return (bundle, verifier.verify(bundle, siblings: siblings))
        case .legacy(let prefix):
            guard verifier.share == nil else {
                throw ToolError(
                    .unsupported, "\(prefix): a V1 checkpoint is verified whole (--part splits the data files of V2 checkpoints)")
            }
            return (nil, verifier.verify(legacy: try LegacyCheckpoint(prefix: prefix)))
        case .remote(let checkpoint):
            let session = RemoteSession.shared()
            let bundle = try checkpoint.open(in: session)
            let meter = ProgressMeter.start(label: Path.fileName(of: checkpoint.prefix), if: showingProgress)
            defer { meter?.finish() }
            var verifier = verifier
            verifier.progress = meter?.progress
            return (bundle, try checkpoint.verify(bundle, with: verifier, in: session))
        }
    }

    /// The V1 checkpoint `legacy` as a V2 bundle, written into a staging directory that stands
    /// for its own (the bundle stays mapped once the directory is gone).
    static func bundle(of legacy: LegacyCheckpoint) throws -> CheckpointBundle {
        let staging = try ScratchDirectory.staging(standingFor: Path.directory(of: legacy.prefix))
        do {
            return try legacy.writeBundle(to: Path.join(staging.path, Path.fileName(of: legacy.prefix)))
        } catch {
            throw ToolError(.unsupported, "\(legacy.prefix): \(error)")
        }
    }

    /// The training state of the checkpoint opened as `bundle` (its object graph read from the
    /// store for a remote one).
    func trainingState(of bundle: CheckpointBundle) throws -> TrainingState {
        switch self {
        case .local, .legacy:
            return TrainingState(bundle: bundle)
        case .remote(let checkpoint):
            return try checkpoint.trainingState(of: bundle, in: RemoteSession.shared())
        }
    }

    /// The value of the tensor under `key` of the checkpoint opened as `bundle`, checked as
    /// TensorFlow checks it on restore (read from the store for a remote one), or why it fails
    /// those checks.
    ///
    /// - Throws: `StoreError` when the store fails.
    func value(forKey key: [UInt8], of bundle: CheckpointBundle) throws -> Result<TensorValue, TensorError> {
        switch self {
        case .local, .legacy:
            return Result { () throws(TensorError) in try bundle.value(forKey: key) }
        case .remote(let checkpoint):
            return try checkpoint.value(forKey: key, of: bundle, in: RemoteSession.shared())
        }
    }

    /// Opens the checkpoint without checking it (for a merge, whose data pass ran elsewhere).
    func openUnchecked() throws -> (bundle: CheckpointBundle, siblings: [String]) {
        switch self {
        case .local(let prefix, let siblings):
            return (
                try CheckpointBundle(prefix: prefix),
                siblings ?? (try? FileSystem.contents(ofDirectory: Path.directory(of: prefix))) ?? []
            )
        case .legacy(let prefix):
            throw ToolError(.unsupported, "\(prefix): a V1 checkpoint is verified whole, never in shares")
        case .remote(let checkpoint):
            return (try checkpoint.open(in: RemoteSession.shared()), checkpoint.folder.names)
        }
    }
}
