import MappedIO

/// Why a delta could not be created, read or applied: one readable line naming the file and
/// the cause, and the error it reports when it reports another (a ``FileError``, a zstd
/// failure).
public struct DeltaError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds may be added: compare with `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case corrupt, wrongBase = "wrong base", exists, hashMismatch = "hash mismatch", io = "I/O"
            case damagedInput = "damaged input", usage, compression
        }

        private let kind: Kind

        /// The delta file is truncated, corrupted or not a delta.
        public static let corrupt = Code(kind: .corrupt)
        /// The base given is not the one the delta was made against.
        public static let wrongBase = Code(kind: .wrongBase)
        /// An output file exists and `--force` was not given.
        public static let exists = Code(kind: .exists)
        /// A rebuilt file does not match the hash the delta recorded.
        public static let hashMismatch = Code(kind: .hashMismatch)
        /// An input could not be read, or an output written.
        public static let io = Code(kind: .io)
        /// An input checkpoint fails verification.
        public static let damagedInput = Code(kind: .damagedInput)
        /// The delta needs a base and none was given, or the reverse.
        public static let usage = Code(kind: .usage)
        /// zstd could not compress (it ran out of memory or was given a bad parameter).
        public static let compression = Code(kind: .compression)

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

    /// A file-system failure: ``Code/exists`` for a file in the way, else ``Code/io``.
    public init(_ error: FileError) {
        self.init(error.code == .alreadyExists ? .exists : .io, error.description, underlying: error)
    }

    public var description: String { cause }
}
