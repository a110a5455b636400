import MappedIO
import ObjectStore
import TensorBundle

/// What an `s3://` path names: one checkpoint, or a training folder and its checkpoints.
public struct RemoteTarget: Sendable {
    /// The folder that holds the checkpoints.
    public let folder: RemoteFolder
    /// The training folder's state and listing, when the path named a folder.
    public let directory: CheckpointDirectory?
    /// The checkpoints, in the order a local directory's are taken (newest only with
    /// `latestOnly`).
    public let checkpoints: [RemoteCheckpoint]

    /// Finds what `path` names, as the tools do for a local path: `…/NAME.index` and `…/NAME`
    /// (whose `.index` exists) name one checkpoint, anything else a folder (with or without a
    /// trailing `/`), whose checkpoints are ordered by its state file, then by name.
    ///
    /// - Throws: ``RemoteError`` (``RemoteError/Code/noSuchCheckpoint``) naming the path when it
    ///   names nothing (or a folder without checkpoints, saying what it holds), or the store's
    ///   ``StoreError``.
    public static func locate(_ path: String, latestOnly: Bool, in session: RemoteSession) throws -> RemoteTarget {
        let location = try RemoteSession.location(path)
        return try session.run(on: location) { client in try await locate(location, path: path, latestOnly: latestOnly, client: client) }
    }

    private static func locate(
        _ location: ObjectLocation, path: String, latestOnly: Bool, client: any StoreClient
    ) async throws -> RemoteTarget {
        if !location.key.isEmpty && !location.key.hasSuffix("/") {
            let parent = try await RemoteFolder.list(location.parent, client: client)
            var name = location.name
            if name.hasSuffix(".index") { name.removeLast(".index".count) }
            if parent.objects[BundleFiles.index(prefix: name)] != nil {
                let prefix = parent.location.appending(name).description
                return RemoteTarget(folder: parent, directory: nil, checkpoints: [RemoteCheckpoint(folder: parent, prefix: prefix)])
            }
            guard parent.folders.contains(location.name) else {
                throw RemoteError(.noSuchCheckpoint, "\(path): no such checkpoint (neither a folder nor a prefix with an .index object)")
            }
        }
        let folder = try await RemoteFolder.list(location, client: client)
        guard !folder.objects.isEmpty || !folder.folders.isEmpty else {
            throw RemoteError(.noSuchCheckpoint, "\(path): no such checkpoint folder (nothing is stored under it)")
        }
        let directory = try await folder.directory(client: client)
        let prefixes = directory.checkpoints(latestOnly: latestOnly)
        guard !prefixes.isEmpty else { throw RemoteError(.noSuchCheckpoint, directory.noCheckpointLine) }
        return RemoteTarget(
            folder: folder, directory: directory, checkpoints: prefixes.map { RemoteCheckpoint(folder: folder, prefix: $0) })
    }
}
