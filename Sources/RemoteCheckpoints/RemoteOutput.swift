import MappedIO
import ObjectStore

/// Outputs bound for an object store, written locally first and uploaded once complete.
public enum RemoteOutput {
    /// Uploads the local files `names` of `directory` into the folder `url`, in order, each
    /// created only if absent unless `force`; an object whose URL is among `inputs` (what the
    /// command read) is never replaced.
    ///
    /// - Throws: ``RemoteError`` (``RemoteError/Code/exists``) for an object in the way, or the
    ///   store's ``StoreError``.
    public static func upload(
        _ names: [String], from directory: String, to url: String, force: Bool, inputs: [String], in session: RemoteSession
    ) throws {
        let folder = try RemoteSession.location(url)
        let read = Set(inputs.compactMap(ObjectLocation.init(url:)))
        if let input = names.map(folder.appending).first(where: read.contains) {
            throw RemoteError(.exists, "\(input): is an input of this command; never replaced")
        }
        let options = WriteOptions(createOnly: !force)
        try session.run(on: folder) { client in
            for name in names {
                do {
                    try await client.upload(file: Path.join(directory, name), to: folder.appending(name), options: options)
                } catch let error as StoreError where error.code == .preconditionFailed {
                    throw RemoteError(.exists, "\(folder.appending(name)): exists (use --force to replace it)")
                }
            }
        }
    }

    /// The files of the checkpoint written into `directory`, data files before the index (so a
    /// reader never finds an index whose data is missing).
    public static func checkpointFiles(in directory: String) throws -> [String] {
        let names = try FileSystem.contents(ofDirectory: directory)
        return names.filter { !$0.hasSuffix(".index") }.sorted() + names.filter { $0.hasSuffix(".index") }.sorted()
    }
}
