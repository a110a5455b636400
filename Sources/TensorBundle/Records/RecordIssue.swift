/// A tolerable oddity in a record: TensorFlow reads past it, a strict tool reports it.
public struct RecordIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A known field encoded with another wire type (TensorFlow skips it as unknown).
        case wrongWireType = "record.wrong_wire_type"
        /// A field number the schema does not define (skipped).
        case unknownField = "record.unknown_field"
        /// `unknown_rank` or a dimension name set in a shape (ignored by TensorFlow).
        case ignoredShapeField = "record.ignored_shape_field"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Collects the issues of one message while its fields are decoded.
struct FieldChecker {
    let message: String
    var issues: [RecordIssue] = []

    init(message: String) {
        self.message = message
    }

    /// The varint value of `field`, or nil (and an issue) when it has another wire type.
    mutating func varint(_ field: ProtoField, _ name: String) -> UInt64? {
        if case .varint(let value) = field.payload { return value }
        wrongType(field, name)
        return nil
    }

    /// The bytes of `field`, or nil (and an issue) when it has another wire type.
    mutating func bytes(_ field: ProtoField, _ name: String) -> ArraySlice<UInt8>? {
        if case .bytes(let value) = field.payload { return value }
        wrongType(field, name)
        return nil
    }

    mutating func wrongType(_ field: ProtoField, _ name: String) {
        issues.append(RecordIssue(.wrongWireType, "\(message).\(name) (field \(field.number)) has wire type \(field.wireType.rawValue)"))
    }

    mutating func unknown(_ field: ProtoField) {
        issues.append(RecordIssue(.unknownField, "\(message) has unknown field \(field.number)"))
    }

    /// Decodes every field of `bytes`, handing each to `handle`.
    mutating func decode(_ bytes: ArraySlice<UInt8>, _ handle: (inout FieldChecker, ProtoField) -> Void) throws(ProtoError) {
        var decoder = ProtoDecoder(bytes)
        while let field = try decoder.next() {
            handle(&self, field)
        }
    }
}

extension Int64 {
    /// The value of a proto `int32` field: the varint's low 32 bits, sign-extended.
    init(int32Field value: UInt64) {
        self = Int64(Int32(truncatingIfNeeded: value))
    }
}
