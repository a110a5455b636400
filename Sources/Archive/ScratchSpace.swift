import MappedIO

/// A hidden directory for the intermediate checkpoints of a chain (a ``ScratchDirectory``
/// named `.ckptdelta-scratch-<random>`), removed with everything in it when the instance goes
/// away, and by the next command that makes one in the same folder when this one was killed.
final class ScratchSpace {
    static let prefix = ".ckptdelta-scratch-"

    private let directory: ScratchDirectory
    private var slots = 0

    var path: String { directory.path }

    /// Removes what killed commands left in `parent`, then creates `parent/.ckptdelta-scratch-<random>`.
    init(parent: String) throws(ArchiveError) {
        ScratchDirectory.removeAbandoned(in: parent, prefix: Self.prefix)
        do {
            directory = try ScratchDirectory(in: parent, prefix: Self.prefix)
        } catch {
            throw ArchiveError(error)
        }
    }

    /// A new, empty subdirectory.
    func slot() -> String {
        slots += 1
        return Path.join(path, String(slots))
    }

    /// Removes a subdirectory and its files.
    func discard(_ slot: String) {
        try? FileSystem.removeTree(slot)
    }
}
