import Glibc

/// What an output may do to a file already at its path: the one rule for every file a tool
/// writes.
///
/// By default an existing path is refused. Asked to replace (`--force`), an output replaces
/// only a regular file, and never one of the files the command reads: a symbolic link is never
/// followed to replace its target nor replaced itself, and a directory, FIFO, socket or device
/// is never replaced.
public struct Replacement: Sendable, Hashable {
    /// Whether a regular file at the path may be replaced.
    public let allowed: Bool
    /// The files the command reads, which it never replaces.
    public let inputs: Set<FileIdentity>

    /// Refuse every existing path.
    public static let never = Replacement(allowed: false, inputs: [])

    /// Replace a regular file, but none of `inputs`.
    public static func regularFile(except inputs: Set<FileIdentity> = []) -> Replacement {
        Replacement(allowed: true, inputs: inputs)
    }

    /// ``regularFile(except:)`` when `force`, else ``never``.
    public static func forced(_ force: Bool, inputs: Set<FileIdentity> = []) -> Replacement {
        force ? .regularFile(except: inputs) : .never
    }

    /// This rule with `paths` (those that exist) added to the inputs it protects.
    public func protecting(_ paths: some Sequence<String>) -> Replacement {
        Replacement(allowed: allowed, inputs: inputs.union(FileIdentity.of(paths)))
    }

    /// Checks that an output may be written at `path`: nothing is there, or a regular file
    /// this rule may replace. The path itself is examined, never what a link points to.
    ///
    /// - Throws: ``FileError/Code/alreadyExists`` for an existing path that may not be
    ///   replaced, ``FileError/Code/notReplaceable`` for one that is never replaced (not a
    ///   regular file, or an input of the command).
    public func check(_ path: String) throws(FileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw FileError(errno: errno, path: path)
        }
        let type = info.st_mode & S_IFMT
        guard allowed else {
            throw FileError(code: .alreadyExists, path: path, cause: "already exists; not replaced without --force")
        }
        switch type {
        case S_IFREG:
            guard !inputs.contains(FileIdentity(info)) else {
                throw FileError(code: .notReplaceable, path: path, cause: "is an input of this command; never replaced")
            }
        case S_IFLNK:
            throw FileError(
                code: .notReplaceable, path: path,
                cause: "is a symbolic link; --force replaces only a regular file, never a link or its target")
        case S_IFDIR:
            throw FileError(code: .notReplaceable, path: path, cause: "is a directory; never replaced")
        default:
            throw FileError(code: .notReplaceable, path: path, cause: "is \(FileKind.describe(type: type)); never replaced")
        }
    }
}
