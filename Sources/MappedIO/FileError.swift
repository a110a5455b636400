import Glibc

/// A file-system failure: which file, what kind of failure, and the cause as one line.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for callers that react to it.
    public enum Code: Sendable, Hashable {
        case notFound
        case permissionDenied
        case isDirectory
        case alreadyExists
        case noSpace
        /// Another process holds a lock.
        case busy
        /// A FIFO, socket or device where a regular file is expected.
        case notRegular
        /// The path is longer than the system allows.
        case nameTooLong
        /// Any other failure of the operating system.
        case io
    }

    public let code: Code
    /// The file the operation was about.
    public let path: String
    /// What happened, without the path: "No such file or directory".
    public let cause: String

    public init(code: Code, path: String, cause: String) {
        self.code = code
        self.path = path
        self.cause = cause
    }

    /// A failure described by `errno`.
    public init(errno number: Int32, path: String, operation: String? = nil) {
        let code: Code = switch number {
        case ENOENT, ENOTDIR: .notFound
        case EACCES, EPERM: .permissionDenied
        case EISDIR: .isDirectory
        case EEXIST: .alreadyExists
        case ENOSPC, EDQUOT: .noSpace
        case ENAMETOOLONG: .nameTooLong
        default: .io
        }
        let reason = String(cString: strerror(number))
        self.init(code: code, path: path, cause: operation.map { "\($0): \(reason)" } ?? reason)
    }

    public var description: String { "\(path): \(cause)" }
}
