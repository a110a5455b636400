import Glibc
import Synchronization

/// A private directory for a command's intermediate files (the steps of a chain being rebuilt,
/// objects copied from a store, a V1 checkpoint rewritten as V2): removed with everything in it
/// when the instance goes away, and by a later command when the process that made it was killed.
///
/// Its name is the prefix it was given and a random suffix. While the instance lives, its
/// process holds a lock (flock(2)) on the directory, which the kernel drops when the process
/// dies; ``removeAbandoned(in:prefix:)`` removes the directories of that name that no process
/// holds, and nothing else.
///
/// A scratch directory can stand for the place its files were copied from (a bucket folder,
/// a V1 checkpoint's directory): ``originalPaths(in:)`` puts that place back into any text that
/// names a file inside, so that what a tool prints names what the user gave, never a copy that is
/// gone when the line is read.
public final class ScratchDirectory: Sendable {
    public let path: String
    private let descriptor: Int32
    private let slots = Mutex(0)

    /// Prefix of the scratch directories ``staging(standingFor:)`` makes.
    public static let stagingPrefix = ".ckpt-staging-"

    /// `$TMPDIR`, or `/tmp`.
    public static var temporaryDirectory: String {
        guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/tmp" }
        return String(cString: value)
    }

    /// A staging directory `$TMPDIR/.ckpt-staging-<random>` whose files stand for those of
    /// `origin` (when given), made after removing what killed commands left there.
    public static func staging(standingFor origin: String?) throws(FileError) -> ScratchDirectory {
        let parent = temporaryDirectory
        removeAbandoned(in: parent, prefix: stagingPrefix)
        let directory = try ScratchDirectory(in: parent, prefix: stagingPrefix)
        if let origin { record(directory.path, standsFor: origin) }
        return directory
    }

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

    /// The path of a new subdirectory (not created: the writer that fills it creates it).
    public func slot() -> String {
        let number = slots.withLock { count in
            count += 1
            return count
        }
        return Path.join(path, String(number))
    }

    /// Removes a subdirectory and its files.
    public func discard(_ slot: String) {
        try? FileSystem.removeTree(slot)
    }

    /// Records that the local folder `local` (inside a scratch directory) stands for `origin`.
    public static func record(_ local: String, standsFor origin: String) {
        let folder = origin.hasSuffix("/") ? String(origin.dropLast()) : origin
        origins.withLock {
            $0.append((local, folder))
            $0.sort { $0.local.count > $1.local.count }
        }
    }

    /// `text` with every recorded local folder replaced by the place it stands for.
    public static func originalPaths(in text: String) -> String {
        guard text.contains(stagingPrefix) else { return text }
        return origins.withLock { origins in
            origins.reduce(text) { text, origin in text.replacing(origin.local, with: origin.remote) }
        }
    }

    /// Local folders and the places they stand for, longest local path first.
    private static let origins = Mutex<[(local: String, remote: String)]>([])

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
