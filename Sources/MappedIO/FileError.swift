import Glibc

/// A file-system failure: which file, what kind of failure, the operating system's error
/// number when there is one, and the cause as one line.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for callers that react to it. New kinds may be added: compare with
    /// `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notFound = "not found", permissionDenied = "permission denied", isDirectory = "is a directory"
            case alreadyExists = "already exists", noSpace = "no space", busy, notRegular = "not a regular file"
            case notReplaceable = "not replaceable"
            case nameTooLong = "name too long", io = "I/O"
        }

        private let kind: Kind

        public static let notFound = Code(kind: .notFound)
        public static let permissionDenied = Code(kind: .permissionDenied)
        public static let isDirectory = Code(kind: .isDirectory)
        public static let alreadyExists = Code(kind: .alreadyExists)
        public static let noSpace = Code(kind: .noSpace)
        /// Another process holds a lock.
        public static let busy = Code(kind: .busy)
        /// A FIFO, socket or device where a regular file is expected.
        public static let notRegular = Code(kind: .notRegular)
        /// An output's path holds what no output ever replaces: a symbolic link, a directory, a
        /// special file, or an input of the same command.
        public static let notReplaceable = Code(kind: .notReplaceable)
        /// The path is longer than the system allows.
        public static let nameTooLong = Code(kind: .nameTooLong)
        /// Any other failure of the operating system.
        public static let io = Code(kind: .io)

        public var description: String { kind.rawValue }

        /// The kind of failure `errno` reports.
        init(_ errno: Errno) {
            switch errno.rawValue {
            case ENOENT, ENOTDIR: self = .notFound
            case EACCES, EPERM: self = .permissionDenied
            case EISDIR: self = .isDirectory
            case EEXIST: self = .alreadyExists
            case ENOSPC, EDQUOT: self = .noSpace
            case ENAMETOOLONG: self = .nameTooLong
            default: self = .io
            }
        }

        private init(kind: Kind) {
            self.kind = kind
        }
    }

    public let code: Code
    /// The file the operation was about.
    public let path: String
    /// What happened, without the path: "read: No such file or directory".
    public let cause: String
    /// The operating system's error number, when the failure is one.
    public let errno: Errno?

    public init(code: Code, path: String, cause: String) {
        self.code = code
        self.path = path
        self.cause = cause
        self.errno = nil
    }

    /// A failure the operating system reported with `errno` during `operation`.
    public init(_ errno: Errno, path: String, operation: String? = nil) {
        self.code = Code(errno)
        self.path = path
        self.cause = operation.map { "\($0): \(errno)" } ?? errno.description
        self.errno = errno
    }

    /// A failure described by the raw `errno` number.
    public init(errno number: Int32, path: String, operation: String? = nil) {
        self.init(Errno(rawValue: number), path: path, operation: operation)
    }

    public var description: String { "\(path): \(cause)" }
}
