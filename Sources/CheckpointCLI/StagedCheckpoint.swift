import MappedIO
import RemoteCheckpoints

/// A checkpoint named on the command line, readable locally: a local one as it is, a remote one
/// copied into a staging directory first, for the tools that map both checkpoints they compare
/// or combine.
struct StagedCheckpoint {
    /// The local checkpoint to read: a V2 bundle (a remote one's local copy), or a legacy V1
    /// checkpoint.
    let target: CheckpointTarget
    /// A remote checkpoint's copy, kept until the tool is done with it.
    private let copy: StagedCopy?

    /// The URLs of the objects the copy was made from; none for a local checkpoint.
    var sources: [String] { copy?.sources ?? [] }

    /// The local prefix of the V2 bundle to read.
    ///
    /// - Throws: ``ToolError`` for a legacy V1 checkpoint, which the delta tools do not store.
    func bundlePrefix() throws(ToolError) -> String {
        if case .legacy(let prefix) = target {
            throw ToolError(
                .unsupported,
                "\(prefix): a legacy V1 checkpoint; ckptdelta stores V2 checkpoints (ckptverify and ckptdiff read V1 ones): restore it in TensorFlow and save it with tf.compat.v1.train.Saver(), whose default is V2"
            )
        }
        return target.prefix
    }

    /// The checkpoint `path` names (the newest of a directory or folder).
    init(_ path: String) throws {
        if RemoteSession.isRemote(path) {
            let copy = try StagedCopy(path, in: RemoteSession.shared())
            target = .local(copy.prefix)
            self.copy = copy
        } else {
            target = CheckpointTarget.at(try CheckpointLocator.prefixes(for: path, latestOnly: true)[0])
            copy = nil
        }
    }

    /// A remote file (a delta) copied into `staging`, or a local path as it is.
    static func file(_ path: String, staging: ScratchDirectory) throws -> String {
        RemoteSession.isRemote(path) ? try StagedCopy.file(path, into: staging, in: RemoteSession.shared()) : path
    }
}
