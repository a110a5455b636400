import MappedIO
import ObjectStore
import TensorBundle
import TrainingState
import Verification

/// A checkpoint named on the command line: on a local disk, or in an object-store folder.
enum CheckpointTarget: Sendable {
    case local(String)
    case remote(RemoteFolder, String)

    /// The checkpoint's prefix (`run/ckpt-10`, `s3://bucket/run/ckpt-10`).
    var prefix: String {
        switch self {
        case .local(let prefix), .remote(_, let prefix): prefix
        }
    }

    /// The checkpoints `path` names, local or remote (see ``CheckpointLocator`` and
    /// ``RemoteTarget``), with the reports of the directories around them: a training
    /// directory's, a SavedModel's, each version's of a serving model.
    static func locate(_ path: String, latestOnly: Bool) throws(ToolError) -> (targets: [CheckpointTarget], directories: [DirectoryReport])
    {
        if ObjectLocation.isURL(path) {
            let target = try RemoteStore.run { try await RemoteTarget.locate(path, latestOnly: latestOnly, client: $0) }
            let reports = target.directory.map { [Verifier().verify(directory: $0, folders: target.folder.folders)] } ?? []
            return (target.prefixes.map { .remote(target.folder, $0) }, reports)
        }
        let layout = try CheckpointLocator.layout(of: path)
        let prefixes = try CheckpointLocator.prefixes(in: layout, path: path, latestOnly: latestOnly).map(CheckpointTarget.local)
        switch layout {
        case .checkpoint:
            return (prefixes, [])
        case .trainingDirectory:
            return (prefixes, [Verifier().verify(directory: path)])
        case .savedModel(let model):
            return (prefixes, [Verifier().verify(savedModel: model)])
        case .servingModel(let serving):
            let versions = latestOnly ? Array(serving.versions.suffix(1)) : serving.versions
            return (prefixes, versions.map { Verifier().verify(savedModel: $0.model) })
        }
    }

    /// Opens the checkpoint and checks it with `verifier` (the structure, and the tensors'
    /// checksums unless it is structure-only).
    ///
    /// - Throws: ``ToolError`` when the index cannot be read or the store fails.
    func open(verifier: Verifier) throws(ToolError) -> (bundle: CheckpointBundle, report: CheckpointReport) {
        switch self {
        case .local(let prefix):
            let bundle: CheckpointBundle
            do {
                bundle = try CheckpointBundle(prefix: prefix)
            } catch {
                throw ToolError(error.description)
            }
            return (bundle, verifier.verify(bundle))
        case .remote(let folder, let prefix):
            return try RemoteStore.run { client in
                let bundle = try await folder.bundle(named: Path.fileName(of: prefix), client: client)
                return (bundle, try await Self.verify(bundle, in: folder, with: verifier, client: client, showingProgress: false))
            }
        }
    }

    /// Verifies the checkpoint with `verifier`, with a progress bar on standard error when
    /// `showingProgress`, and returns the bundle it opened (nil when its index cannot be read,
    /// which is a finding for a local checkpoint). A store that fails is a tool error.
    func verify(with verifier: Verifier, showingProgress: Bool) throws(ToolError) -> (bundle: CheckpointBundle?, report: CheckpointReport) {
        switch self {
        case .local(let prefix):
            let bundle: CheckpointBundle
            do {
                bundle = try CheckpointBundle(prefix: prefix)
            } catch {
                return (nil, Verifier.unreadable(prefix: prefix, cause: error.file.cause))
            }
            var verifier = verifier
            let meter = Self.meter(for: bundle, showing: showingProgress)
            verifier.progress = meter?.counter
            defer { meter?.finish() }
            return (bundle, verifier.verify(bundle))
        case .remote(let folder, let prefix):
            return try RemoteStore.run { client in
                let bundle = try await folder.bundle(named: Path.fileName(of: prefix), client: client)
                return (bundle, try await Self.verify(bundle, in: folder, with: verifier, client: client, showingProgress: showingProgress))
            }
        }
    }

    /// The streamed verification of a remote bundle: ranged reads as large and as many in
    /// flight as the store's configuration says.
    private static func verify(
        _ bundle: CheckpointBundle, in folder: RemoteFolder, with verifier: Verifier, client: S3Client, showingProgress: Bool
    ) async throws -> CheckpointReport {
        var verifier = verifier
        verifier.readsInFlight = min(client.configuration.connections, 32)
        verifier.chunkSize = client.configuration.rangeSize
        let meter = Self.meter(for: bundle, showing: showingProgress)
        verifier.progress = meter?.counter
        defer { meter?.finish() }
        return try await verifier.verify(bundle, reader: StoreShardReader(client: client), siblings: folder.names)
    }

    /// A progress bar toward the bytes of `bundle`'s data, when one is to be shown.
    private static func meter(for bundle: CheckpointBundle, showing: Bool) -> ProgressMeter? {
        showing ? ProgressMeter(total: Verifier.dataBytes(of: bundle), label: Path.fileName(of: bundle.prefix)) : nil
    }

    /// The training state of the checkpoint opened as `bundle` (its object graph read from the
    /// store for a remote one).
    func trainingState(of bundle: CheckpointBundle) throws(ToolError) -> TrainingState {
        switch self {
        case .local:
            return TrainingState(bundle: bundle)
        case .remote(let folder, _):
            let graph = try RemoteStore.run { client in try await folder.objectGraph(of: bundle, client: client) }
            return TrainingState(bundle: bundle, objectGraph: graph)
        }
    }

    /// Opens the checkpoint without checking it (for a merge, whose data pass ran elsewhere).
    func openUnchecked() throws(ToolError) -> (bundle: CheckpointBundle, siblings: [String]) {
        switch self {
        case .local(let prefix):
            do {
                return (try CheckpointBundle(prefix: prefix), (try? FileSystem.contents(ofDirectory: Path.directory(of: prefix))) ?? [])
            } catch {
                throw ToolError(error.description)
            }
        case .remote(let folder, let prefix):
            let bundle = try RemoteStore.run { try await folder.bundle(named: Path.fileName(of: prefix), client: $0) }
            return (bundle, folder.names)
        }
    }
}

/// Opens checkpoints for the tools that read them with the strictness of `ckptverify`: a
/// tool that reads damaged bytes as values would pass damage off as data.
enum CheckpointGate {
    /// Opens the checkpoint at `prefix` and checks it with `verifier` (the structure, and the
    /// tensors' checksums unless it is structure-only).
    ///
    /// - Throws: ``ToolError`` with the first error, naming the file and the tensor, when the
    ///   index cannot be read or the checkpoint fails verification.
    static func open(_ prefix: String, verifier: Verifier) throws(ToolError) -> (bundle: CheckpointBundle, report: CheckpointReport) {
        try CheckpointTarget.local(prefix).open(verifier: verifier)
    }
}
