import MappedIO

/// Why a delta could not be created, read or applied, where the delta layer itself decides
/// it (a corrupt delta, a wrong base, a damaged input): one readable line naming the file and
/// the cause. Failures of the layers below (a ``FileError``, a ``ZstdError``) are thrown as
/// they are.
public struct DeltaError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds may be added: compare with `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case corrupt, wrongBase = "wrong base", hashMismatch = "hash mismatch"
            case damagedInput = "damaged input", usage
        }

        private let kind: Kind

        /// The delta file is truncated, corrupted or not a delta.
        public static let corrupt = Code(kind: .corrupt)
        /// The base given is not the one the delta was made against.
        public static let wrongBase = Code(kind: .wrongBase)
        /// A rebuilt file does not match the hash the delta recorded.
        public static let hashMismatch = Code(kind: .hashMismatch)
        /// An input checkpoint fails verification.
        public static let damagedInput = Code(kind: .damagedInput)
        /// The delta needs a base and none was given, or the reverse.
        public static let usage = Code(kind: .usage)

        public var description: String { kind.rawValue }

        private init(kind: Kind) {
            self.kind = kind
        }
    }

    public let code: Code
    /// One readable line: the file and what is wrong with it.
    public let cause: String

    public init(_ code: Code, _ cause: String) {
        self.code = code
        self.cause = cause
    }

    public var description: String { cause }
}
