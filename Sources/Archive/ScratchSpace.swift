import MappedIO

/// A hidden directory for the intermediate checkpoints of a chain, removed with everything in
/// it when the instance goes away. Its name starts with ``prefix`` so that a directory left by
/// a killed process can be recognized and removed later.
final class ScratchSpace {
    static let prefix = ".ckptdelta-scratch-"

    let path: String
    private var slots = 0

    /// Creates `parent/.ckptdelta-scratch-<random>`.
    init(parent: String) throws(ArchiveError) {
        path = Path.join(parent, Self.prefix + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        do {
            try FileSystem.createDirectory(path)
        } catch {
            throw ArchiveError(error)
        }
    }

    deinit {
        try? FileSystem.removeTree(path)
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
