import Glibc

/// What makes a file the same file whatever path names it: its device and inode numbers. Two
/// paths with one identity are one file (a hard link, a symbolic link, `a/../a`).
public struct FileIdentity: Sendable, Hashable {
    let device: UInt64
    let inode: UInt64

    /// The identity of the file `path` names, following symbolic links; nil when nothing is
    /// there.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identities of those of `paths` that exist.
    public static func of(_ paths: some Sequence<String>) -> Set<FileIdentity> {
        Set(paths.compactMap(FileIdentity.init(path:)))
    }
}
