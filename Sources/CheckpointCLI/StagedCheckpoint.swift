import MappedIO
import ObjectStore

/// A checkpoint named on the command line, readable locally: a local one as it is, a remote one
/// copied into a staging directory first (its `.index` and data files, several at a time), for
/// the tools that map both checkpoints they compare or combine.
struct StagedCheckpoint {
    /// The local prefix to read.
    let prefix: String
    /// Keeps a remote checkpoint's copy until the tool is done with it.
    private let staging: StagingDirectory?
    /// The remote prefix the copy was made from (`s3://bucket/run/ckpt-10`).
    private let origin: String?

    /// The checkpoint `path` names (the newest of a directory or folder).
    init(_ path: String) throws(ToolError) {
        guard ObjectLocation.isURL(path) else {
            prefix = try CheckpointLocator.prefixes(for: path, latestOnly: true)[0]
            staging = nil
            origin = nil
            return
        }
        let target = try RemoteStore.run { try await RemoteTarget.locate(path, latestOnly: true, client: $0) }
        let name = Path.fileName(of: target.prefixes[0])
        let folder = target.folder
        let staging = try StagingDirectory()
        let objects = folder.objects(ofCheckpoint: name)
        let directory = staging.path
        try RemoteStore.run { client in try await client.download(objects, into: directory) }
        self.prefix = Path.join(staging.path, name)
        self.staging = staging
        self.origin = target.prefixes[0]
    }

    /// `message` about the local copy told as about the remote original.
    func describe(_ message: String) -> String {
        origin.map { message.replacing(prefix, with: $0) } ?? message
    }

    /// A remote file (a delta) copied into a staging directory, or a local path as it is.
    static func file(_ path: String, staging: StagingDirectory) throws(ToolError) -> String {
        guard ObjectLocation.isURL(path) else { return path }
        let location = try RemoteStore.location(path)
        let local = Path.join(staging.path, location.name)
        try RemoteStore.run { client in
            guard let info = try await client.head(location) else { throw ToolError("\(path): no such object") }
            try await client.download(location, size: info.size, to: local)
        }
        return local
    }
}

/// Outputs bound for an object store, written locally first and uploaded once complete.
enum RemoteOutput {
    /// Uploads the local files `names` of `directory` into the folder `url`, in order, each
    /// created only if absent unless `overwrite` (a checkpoint's data files first, its index
    /// last, so a reader never finds an index whose data is missing).
    static func upload(_ names: [String], from directory: String, to url: String, overwrite: Bool) throws(ToolError) {
        let folder = try RemoteStore.location(url)
        let options = WriteOptions(createOnly: !overwrite)
        try RemoteStore.run { client in
            for name in names {
                do {
                    try await client.upload(file: Path.join(directory, name), to: folder.appending(name), options: options)
                } catch let error as StoreError where error.code == .preconditionFailed {
                    throw ToolError("\(folder.appending(name)): exists (use --force to replace it)")
                }
            }
        }
    }

    /// The files of the checkpoint written into `directory`, data files before the index.
    static func checkpointFiles(in directory: String) throws(ToolError) -> [String] {
        let names: [String]
        do {
            names = try FileSystem.contents(ofDirectory: directory)
        } catch {
            throw ToolError(error.description)
        }
        return names.filter { !$0.hasSuffix(".index") }.sorted() + names.filter { $0.hasSuffix(".index") }.sorted()
    }
}
