import BinaryCoding

/// Why a tensor's value could not be read: which tensor, what kind of failure, and the cause
/// as one readable line.
public struct TensorError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case notFound = "tensor.not_found"
        case unparseableEntry = "entry.unparseable"
        case unstorableDType = "entry.bad_dtype"
        case invalidShape = "entry.bad_shape"
        case badShard = "entry.bad_shard"
        case negativeOffset = "entry.bad_offset"
        case sizeMismatch = "entry.bad_size"
        case missingShard = "shard.missing"
        case pastEndOfFile = "entry.past_eof"
        case checksumMismatch = "data.checksum_mismatch"
        case lengthChecksumMismatch = "data.length_checksum_mismatch"
        case malformedString = "data.bad_string"
        case malformedVariant = "data.bad_variant"
        case badSlices = "slices.bad"
        case unsupported = "tensor.unsupported"
        /// A V1 checkpoint's slice whose inline `TensorProto` does not decode to its values.
        case badLegacyValue = "legacy.bad_value"
    }

    public let code: Code
    /// The tensor's key, printable.
    public let tensor: String
    public let cause: String

    public init(_ code: Code, key: [UInt8], _ cause: String) {
        self.code = code
        self.tensor = KeyText.escape(key)
        self.cause = cause
    }

    public var description: String { "tensor \(tensor): \(cause)" }
}

/// A decoding failure inside a string or variant tensor, before the key is attached.
struct EncodingFailure: Error {
    let code: TensorError.Code
    let cause: String

    init(_ code: TensorError.Code, _ cause: String) {
        self.code = code
        self.cause = cause
    }
}
