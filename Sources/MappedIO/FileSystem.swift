import Glibc

/// What a path names, as far as these tools care.
public enum FileKind: Sendable, Hashable {
    case missing
    case regular(size: Int)
    case directory
    case other
}

/// Small, synchronous file-system queries and operations with typed errors.
public enum FileSystem {
    /// What `path` names (following symbolic links).
    public static func kind(of path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(info.st_size))
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool {
        kind(of: path) != .missing
    }

    /// The names in directory `path`, without `.` and `..`, sorted bytewise.
    public static func contents(ofDirectory path: String) throws(FileError) -> [String] {
        guard let directory = opendir(path) else { throw FileError(errno: errno, path: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Creates directory `path` (and its parents); an existing directory is not an error.
    public static func createDirectory(_ path: String) throws(FileError) {
        if kind(of: path) == .directory { return }
        let parent = Path.directory(of: path)
        if parent != path && !parent.isEmpty && parent != "." { try createDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw FileError(errno: errno, path: path, operation: "mkdir")
        }
    }
}
