import Glibc

/// What a path names, as far as these tools care.
public enum FileKind: Sendable, Hashable {
    case missing
    case regular(size: Int)
    case directory
    /// A FIFO, socket, device or other special file.
    case other
    /// A path that cannot be examined for another reason than not existing (too long, a
    /// directory on the way without search permission, a loop of links).
    case inaccessible(FileError)

    /// What kind of special file a `stat` type is, for messages.
    static func describe(type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "a special file"
        }
    }
}

/// The names a directory holds.
public struct DirectoryListing: Sendable, Hashable {
    /// The plain names (``FileName``), sorted bytewise.
    public var names: [String] = []
    /// The names that are not plain (not valid UTF-8, or holding a control character), each
    /// escaped for display with what is wrong with it.
    public var refused: [NameError] = []
}

/// Small, synchronous file-system queries and operations with typed errors.
public enum FileSystem {
    /// What `path` names (following symbolic links).
    public static func kind(of path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? .missing : .inaccessible(FileError(errno: errno, path: path))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(info.st_size))
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Whether the file system of `directory` lets a new file there be written with O_DIRECT
    /// (tmpfs and some overlay file systems do not), found by creating and removing one.
    package static func acceptsDirectWrites(in directory: String) -> Bool {
        let probe = Path.join(directory, ".direct-probe-" + String(UInt64.random(in: 0...UInt64.max)))
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | directFlag | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        unlink(probe)
        return true
    }

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool {
        kind(of: path) != .missing
    }

    /// The names in directory `path`, without `.` and `..`, sorted bytewise. Names that are not
    /// plain (``FileName``: not valid UTF-8, or holding a control character) are left out: a
    /// repaired name would name another file, and a printed one could rewrite the screen;
    /// ``listing(ofDirectory:)`` returns them too.
    public static func contents(ofDirectory path: String) throws(FileError) -> [String] {
        try listing(ofDirectory: path).names
    }

    /// What directory `path` holds: its plain names, and separately the names that are not.
    public static func listing(ofDirectory path: String) throws(FileError) -> DirectoryListing {
        // O_NONBLOCK: a FIFO named where a directory is expected fails instead of waiting.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0, let directory = fdopendir(fd) else {
            let failure = FileError(errno: errno, path: path)
            if fd >= 0 { close(fd) }
            throw failure
        }
        defer { closedir(directory) }
        var listing = DirectoryListing()
        while let entry = readdir(directory) {
            // The name is read in place up to its NUL: glibc allocates records shorter than the
            // 256 bytes `d_name` is declared with, so copying the field reads past the record.
            let name = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!
            let bytes = Array(UnsafeRawBufferPointer(start: name, count: strlen(name.assumingMemoryBound(to: CChar.self))))
            guard bytes != [0x2E] && bytes != [0x2E, 0x2E] else { continue }
            switch FileName.decode(bytes) {
            case .success(let name): listing.names.append(name)
            case .failure(let refused): listing.refused.append(refused)
            }
        }
        listing.names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return listing
    }

    /// Creates directory `path` (and its parents); an existing directory is not an error.
    public static func createDirectory(_ path: String) throws(FileError) {
        if kind(of: path) == .directory { return }
        let parent = Path.directory(of: path)
        if parent != path && !parent.isEmpty && parent != "." { try createDirectory(parent) }
        _ = try systemCall(path, "mkdir", ignoring: .fileExists) { mkdir(path, 0o755) }
    }

    /// Removes the file (or empty directory) at `path`; a missing path is not an error.
    public static func remove(_ path: String) throws(FileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        _ = try systemCall(path, "remove", ignoring: .noSuchFile) { (info.st_mode & S_IFMT) == S_IFDIR ? rmdir(path) : unlink(path) }
    }

    /// Removes `path` and, if it is a directory, everything in it. Symbolic links are removed,
    /// never followed.
    public static func removeTree(_ path: String) throws(FileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try contents(ofDirectory: path) { try removeTree(Path.join(path, name)) }
        }
        try remove(path)
    }

    /// Flushes directory `path` itself, so that names created or renamed in it survive a crash.
    public static func synchronizeDirectory(_ path: String) throws(FileError) {
        let fd = try systemCall(path) { open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        // EINVAL: the file system does not sync directories; nothing to do.
        _ = try systemCall(path, "fsync", ignoring: .invalidArgument) { fsync(fd) }
    }

    /// The absolute path of `path` with symbolic links, `.` and `..` resolved; nil when it
    /// does not exist.
    public static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
