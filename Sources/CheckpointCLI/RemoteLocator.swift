import MappedIO
import ObjectStore
import TensorBundle

/// What an `s3://` path names: one checkpoint, or a training folder and its checkpoints.
struct RemoteTarget: Sendable {
    let folder: RemoteFolder
    /// The training folder's state and listing, when the path named a folder.
    let directory: CheckpointDirectory?
    /// The checkpoints, as `s3://bucket/folder/NAME` prefixes.
    let prefixes: [String]

    /// Finds what `path` names, as ``CheckpointLocator/prefixes(for:latestOnly:)`` does for a
    /// local path: `…/NAME.index` and `…/NAME` (whose `.index` exists) name one checkpoint,
    /// anything else a folder (with or without a trailing `/`).
    static func locate(_ path: String, latestOnly: Bool, client: S3Client) async throws -> RemoteTarget {
        let location = try RemoteStore.location(path)
        if !location.key.isEmpty && !location.key.hasSuffix("/") {
            let parent = try await RemoteFolder.list(location.parent, client: client)
            var name = location.name
            if name.hasSuffix(".index") { name.removeLast(".index".count) }
            if parent.sizes[BundleFiles.index(prefix: name)] != nil {
                return RemoteTarget(folder: parent, directory: nil, prefixes: [parent.location.appending(name).description])
            }
            guard parent.folders.contains(location.name) else {
                throw ToolError("\(path): no such checkpoint (neither a folder nor a prefix with an .index object)")
            }
        }
        let folder = try await RemoteFolder.list(location, client: client)
        guard !folder.sizes.isEmpty || !folder.folders.isEmpty else {
            throw ToolError("\(path): no such checkpoint folder (nothing is stored under it)")
        }
        let directory = try await folder.directory(client: client)
        return RemoteTarget(
            folder: folder, directory: directory, prefixes: try CheckpointLocator.ordered(directory, latestOnly: latestOnly))
    }
}
