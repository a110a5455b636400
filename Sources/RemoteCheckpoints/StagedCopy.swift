import MappedIO
import ObjectStore

/// A remote checkpoint copied into a local staging directory (its `.index` and data files,
/// several at a time), for the tools that map both checkpoints they compare or combine. The
/// copy lasts as long as the instance.
public struct StagedCopy: Sendable {
    /// The local copy's prefix.
    public let prefix: String
    /// The URLs of the objects the copy was made from.
    public let sources: [String]
    private let staging: ScratchDirectory

    /// Copies the checkpoint `path` names (the newest of a folder).
    ///
    /// - Throws: ``RemoteError`` when the path names no checkpoint, ``StoreError`` when the
    ///   store fails, `FileError` when the staging directory cannot be made.
    public init(_ path: String, in session: RemoteSession) throws {
        let target = try RemoteTarget.locate(path, latestOnly: true, in: session)
        let name = Path.fileName(of: target.checkpoints[0].prefix)
        let staging = try ScratchDirectory.staging(standingFor: target.folder.location.description)
        let objects = target.folder.objects(ofCheckpoint: name)
        let directory = staging.path
        try session.run(on: target.folder.location) { client in try await client.download(objects, into: directory) }
        self.prefix = Path.join(staging.path, name)
        self.sources = objects.map(\.location.description)
        self.staging = staging
    }

    /// The remote file `url` (a delta) copied into `staging`, which then stands for the file's
    /// folder.
    ///
    /// - Throws: ``RemoteError`` when there is no such object, ``StoreError`` when the store
    ///   fails.
    public static func file(_ url: String, into staging: ScratchDirectory, in session: RemoteSession) throws -> String {
        let location = try RemoteSession.location(url)
        ScratchDirectory.record(staging.path, standsFor: location.parent.description)
        let local = Path.join(staging.path, location.name)
        try session.run(on: location) { client in
            guard let info = try await client.head(location) else { throw RemoteError(.noSuchCheckpoint, "\(url): no such object") }
            try await client.download(info, to: local)
        }
        return local
    }
}
