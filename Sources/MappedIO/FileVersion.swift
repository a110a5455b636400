import Glibc

/// What changes whenever a file's contents may have: which file it is, its size, and its
/// modification and status-change times to the nanosecond. A path whose version is the same
/// at two moments held a file that was not written in between (the status-change time cannot
/// be set back by anyone but the clock).
public struct FileVersion: Sendable, Hashable {
    let identity: FileIdentity
    let size: Int64
    let modified: [Int]
    let changed: [Int]

    /// The version of the file `path` names, following symbolic links; nil when nothing is
    /// there.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        identity = FileIdentity(info)
        size = Int64(info.st_size)
        modified = [info.st_mtim.tv_sec, info.st_mtim.tv_nsec]
        changed = [info.st_ctim.tv_sec, info.st_ctim.tv_nsec]
    }
}
