import Archive
import MappedIO
import Synchronization

/// A private local directory for the files a command moves to or from an object store (a
/// ``ScratchDirectory`` under `$TMPDIR`), removed with everything in it when the instance goes
/// away, and by a later command when this one was killed.
///
/// Each staging directory says which remote folder its files stand for, so that what the tools
/// print names the object (`s3://bucket/run/ckpt-10.index`), never a local copy that no longer
/// exists when the user reads the line.
final class StagingDirectory: Sendable {
    static let prefix = ".ckpt-staging-"

    private let scratch: ScratchDirectory
    var path: String { scratch.path }

    /// Creates `$TMPDIR/.ckpt-staging-<random>` whose files stand for those of the remote
    /// folder `origin`, after removing what killed commands left there.
    init(standingFor origin: String?) throws(ToolError) {
        let parent = ArchiveVerifier.temporaryDirectory
        ScratchDirectory.removeAbandoned(in: parent, prefix: Self.prefix)
        do {
            scratch = try ScratchDirectory(in: parent, prefix: Self.prefix)
        } catch {
            throw ToolError(error.description)
        }
        if let origin { Self.record(local: scratch.path, standsFor: origin) }
    }

    /// Records that the local folder `local` (in a staging directory) stands for the remote
    /// folder `origin`.
    static func record(local: String, standsFor origin: String) {
        let folder = origin.hasSuffix("/") ? String(origin.dropLast()) : origin
        origins.withLock {
            $0.append((local, folder)); $0.sort { $0.local.count > $1.local.count }
        }
    }

    /// `text` with every staging path replaced by the remote location it stands for.
    static func relocated(_ text: String) -> String {
        guard text.contains(prefix) else { return text }
        return origins.withLock { origins in
            origins.reduce(text) { text, origin in text.replacing(origin.local, with: origin.remote) }
        }
    }

    /// Staging folders and the remote folders they stand for, longest local path first.
    private static let origins = Mutex<[(local: String, remote: String)]>([])
}
