import Archive
import MappedIO

/// A private local directory for the files a command moves to or from an object store,
/// removed with everything in it when the instance goes away.
final class StagingDirectory: Sendable {
    let path: String

    /// Creates `TMPDIR/.ckpt-staging-<random>` (or under `parent`).
    init(parent: String? = nil) throws(ToolError) {
        path = Path.join(
            parent ?? ArchiveVerifier.temporaryDirectory, ".ckpt-staging-" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        do {
            try FileSystem.createDirectory(path)
        } catch {
            throw ToolError(error.description)
        }
    }

    deinit {
        try? FileSystem.removeTree(path)
    }
}
