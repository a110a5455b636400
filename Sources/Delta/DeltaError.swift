/// Why a delta could not be created, read or applied: one readable line naming the file and
/// the cause.
public struct DeltaError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The delta file is truncated, corrupted or not a delta.
        case corrupt
        /// The base given is not the one the delta was made against.
        case wrongBase
        /// An output file exists and `--force` was not given.
        case exists
        /// A rebuilt file does not match the hash the delta recorded.
        case hashMismatch
        /// An input could not be read, or an output written.
        case io
        /// An input checkpoint fails verification.
        case damagedInput
        /// The delta needs a base and none was given, or the reverse.
        case usage
    }

    public let code: Code
    public let cause: String

    public init(_ code: Code, _ cause: String) {
        self.code = code
        self.cause = cause
    }

    public var description: String { cause }
}
