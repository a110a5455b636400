import MappedIO
import ObjectStore

/// A checkpoint named on the command line, readable locally: a local one as it is, a remote one
/// copied into a staging directory first (its `.index` and data files, several at a time), for
/// the tools that map both checkpoints they compare or combine.
struct StagedCheckpoint {
    /// The local checkpoint to read: a V2 bundle (a remote one's local copy), or a legacy V1
    /// checkpoint.
    let target: CheckpointTarget
    /// Keeps a remote checkpoint's copy until the tool is done with it.
    private let staging: StagingDirectory?
    /// The objects the copy was made from; none for a local checkpoint.
    let objects: [ObjectLocation]

    /// The local prefix of the V2 bundle to read.
    ///
    /// - Throws: ``ToolError`` for a legacy V1 checkpoint, which the delta tools do not store.
    func bundlePrefix() throws(ToolError) -> String {
        if case .legacy(let prefix) = target {
            throw ToolError(
                "\(prefix): a legacy V1 checkpoint; ckptdelta stores V2 checkpoints (ckptverify and ckptdiff read V1 ones): restore it in TensorFlow and save it with tf.compat.v1.train.Saver(), whose default is V2"
            )
        }
        return target.prefix
    }

    /// The checkpoint `path` names (the newest of a directory or folder).
    init(_ path: String) throws(ToolError) {
        guard ObjectLocation.isURL(path) else {
            target = CheckpointTarget.at(try CheckpointLocator.prefixes(for: path, latestOnly: true)[0])
            staging = nil
            objects = []
            return
        }
        let target = try RemoteStore.run { try await RemoteTarget.locate(path, latestOnly: true, client: $0) }
        let name = Path.fileName(of: target.prefixes[0])
        let folder = target.folder
        let staging = try StagingDirectory(standingFor: folder.location.description)
        let objects = folder.objects(ofCheckpoint: name)
        let directory = staging.path
        try RemoteStore.run { client in try await client.download(objects, into: directory) }
        self.target = .local(Path.join(staging.path, name))
        self.staging = staging
        self.objects = objects.map(\.location)
    }

    /// A remote file (a delta) copied into `staging`, which stands for the file's folder, or a
    /// local path as it is.
    static func file(_ path: String, staging: StagingDirectory) throws(ToolError) -> String {
        guard ObjectLocation.isURL(path) else { return path }
        let location = try RemoteStore.location(path)
        StagingDirectory.record(local: staging.path, standsFor: location.parent.description)
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
    /// created only if absent unless `force` (a checkpoint's data files first, its index last,
    /// so a reader never finds an index whose data is missing); an object among `inputs` is
    /// never replaced.
    static func upload(_ names: [String], from directory: String, to url: String, force: Bool, inputs: [ObjectLocation]) throws(ToolError) {
        let folder = try RemoteStore.location(url)
        if let input = names.map(folder.appending).first(where: inputs.contains) {
            throw ToolError("\(input): is an input of this command; never replaced")
        }
        let options = WriteOptions(createOnly: !force)
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
