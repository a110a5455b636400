import Delta
import MappedIO

/// Why an archive operation failed: one readable line naming the file or step and the cause,
/// and the error it reports when it reports another (a ``DeltaError``, a ``FileError``).
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds may be added: compare with `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notAnArchive = "not an archive", corrupt, busy, noSuchStep = "no such step", exists, io = "I/O", usage
        }

        private let kind: Kind

        /// The directory holds no archive manifest.
        public static let notAnArchive = Code(kind: .notAnArchive)
        /// The manifest or a file it names is damaged.
        public static let corrupt = Code(kind: .corrupt)
        /// Another process is archiving into the same directory.
        public static let busy = Code(kind: .busy)
        /// The archive holds no such step.
        public static let noSuchStep = Code(kind: .noSuchStep)
        /// An output file exists and overwriting was not asked for.
        public static let exists = Code(kind: .exists)
        /// A file could not be read or written.
        public static let io = Code(kind: .io)
        /// The arguments cannot work together.
        public static let usage = Code(kind: .usage)

        public var description: String { kind.rawValue }

        private init(kind: Kind) {
            self.kind = kind
        }
    }

    public let code: Code
    public let cause: String
    /// The error this one reports, if it reports another.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ cause: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.cause = cause
        self.underlying = underlying
    }

    /// A delta failure met while archiving or restoring: damage is ``Code/corrupt``, a file in
    /// the way ``Code/exists``, a misuse ``Code/usage``, the rest ``Code/io``.
    public init(_ error: DeltaError) {
        let code: Code =
            switch error.code {
            case .corrupt, .hashMismatch, .wrongBase, .damagedInput: .corrupt
            case .exists: .exists
            case .usage: .usage
            default: .io
            }
        self.init(code, error.cause, underlying: error)
    }

    /// A file-system failure.
    public init(_ error: FileError) {
        let code: Code =
            switch error.code {
            case .alreadyExists: .exists
            case .busy: .busy
            default: .io
            }
        self.init(code, error.description, underlying: error)
    }

    public var description: String { cause }
}
