import Glibc

/// An exclusive advisory lock (flock(2)) on a file in a directory, held until the instance
/// goes away. The kernel drops it when the process dies, so a killed holder never leaves a
/// stale lock behind.
public final class DirectoryLock {
    private let descriptor: Int32

    /// Takes the lock on `directory/name`, creating the file if needed; fails at once with
    /// ``FileError/Code/busy`` when another process holds it.
    public init(directory: String, name: String) throws(FileError) {
        let path = Path.join(directory, name)
        let fd = try systemCall(path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        do {
            _ = try valueOrErrno(retryingInterrupts: { flock(fd, LOCK_EX | LOCK_NB) })
        } catch {
            close(fd)
            throw error.rawValue == EWOULDBLOCK
                ? FileError(code: .busy, path: directory, cause: "another process is working on it (lock \(name) is held)")
                : FileError(error, path: path, operation: "flock")
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }
}
