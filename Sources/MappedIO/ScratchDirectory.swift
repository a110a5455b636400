import Glibc

/// A private directory for a command's intermediate files: removed with everything in it when
/// the instance goes away, and by a later command when the process that made it was killed.
///
/// Its name is the prefix it was given and a random suffix. While the instance lives, its
/// process holds a lock (flock(2)) on the directory, which the kernel drops when the process
/// dies; ``removeAbandoned(in:prefix:)`` removes the directories of that name that no process
/// holds, and nothing else.
public final class ScratchDirectory: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Creates `parent/<prefix><random>` (and `parent`, if needed) and locks it.
    public init(in parent: String, prefix: String) throws(FileError) {
        try FileSystem.createDirectory(parent)
        while true {
            let path = Path.join(parent, prefix + String(UInt64.random(in: 0...UInt64.max), radix: 36))
            _ = try systemCall(path, "mkdir") { mkdir(path, 0o700) }
            let fd = try systemCall(path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            _ = try? valueOrErrno(retryingInterrupts: { flock(fd, LOCK_EX) })
            // Another command's cleanup may have taken it for abandoned before the lock: then it
            // is gone (no links left), and a new one is made.
            var info = stat()
            if fstat(fd, &info) == 0 && info.st_nlink > 0 {
                self.path = path
                self.descriptor = fd
                return
            }
            close(fd)
        }
    }

    deinit {
        try? FileSystem.removeTree(path)
        close(descriptor)
    }

    /// Removes every directory in `parent` named `prefix` and a suffix of lower-case letters and
    /// digits (the names ``init(in:prefix:)`` gives) that no living process holds: what killed
    /// commands left. Returns the names it removed.
    @discardableResult
    public static func removeAbandoned(in parent: String, prefix: String) -> [String] {
        guard let names = try? FileSystem.contents(ofDirectory: parent) else { return [] }
        return names.filter { name in
            guard name.hasPrefix(prefix), name.count > prefix.count,
                name.utf8.dropFirst(prefix.utf8.count).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
            else { return false }
            return removeIfAbandoned(Path.join(parent, name))
        }
    }

    /// Removes the scratch directory `path` if no living process holds it; whether it did.
    public static func removeIfAbandoned(_ path: String) -> Bool {
        // O_NOFOLLOW: a link is not a scratch directory, and is never followed.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard (try? valueOrErrno(retryingInterrupts: { flock(fd, LOCK_EX | LOCK_NB) })) != nil else { return false }
        do {
            try FileSystem.removeTree(path)
            return true
        } catch {
            return false
        }
    }
}
