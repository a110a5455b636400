import Delta
import MappedIO

/// Why an archive operation could not be done: one readable line naming the file and the cause.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The directory holds no archive manifest.
        case notAnArchive
        /// The manifest or a file it names is damaged.
        case corrupt
        /// Another process is archiving into the same directory.
        case busy
        /// The archive holds no such step.
        case noSuchStep
        /// An output file exists and overwriting was not asked for.
        case exists
        /// A file could not be read or written.
        case io
        /// The arguments cannot work together.
        case usage
    }

    public let code: Code
    public let cause: String

    public init(_ code: Code, _ cause: String) {
        self.code = code
        self.cause = cause
    }

    /// A delta failure met while archiving or restoring.
    init(_ error: DeltaError) {
        let code: Code = switch error.code {
        case .corrupt, .hashMismatch, .wrongBase, .damagedInput: .corrupt
        case .exists: .exists
        case .io, .usage: .io
        }
        self.init(code, error.cause)
    }

    /// A file-system failure.
    init(_ error: FileError) {
        let code: Code = switch error.code {
        case .alreadyExists: .exists
        case .busy: .busy
        default: .io
        }
        self.init(code, error.description)
    }

    public var description: String { cause }
}
