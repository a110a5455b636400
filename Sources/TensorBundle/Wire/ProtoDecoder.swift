import BinaryCoding

/// The protocol-buffer wire types a bundle record can hold.
package enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Why a serialized message could not be decoded at all.
public struct ProtoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset in the message.
    public let offset: Int
    public let cause: String

    public var description: String { "\(cause) at byte \(offset)" }
}

/// One field read off the wire.
package struct ProtoField: Sendable {
    package enum Payload: Sendable {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    package let number: Int
    package let payload: Payload
    /// Byte offset of the field's tag in the message.
    package let offset: Int

    package var wireType: WireType {
        switch payload {
        case .varint: .varint
        case .fixed64: .fixed64
        case .fixed32: .fixed32
        case .bytes: .lengthDelimited
        }
    }
}

/// A strict, allocation-free reader of the fields of one serialized message.
///
/// Every length is checked against the bytes left before it is used; groups (wire types 3
/// and 4) and the unassigned types 6 and 7 are errors.
package struct ProtoDecoder: Sendable {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    package init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// The next field, or nil at the end of the message.
    package mutating func next() throws(ProtoError) -> ProtoField? {
        guard position < bytes.endIndex else { return nil }
        let start = position
        let tag = try varint()
        let number = tag >> 3
        guard number >= 1 && number <= 536_870_911 else {
            throw ProtoError(offset: start - bytes.startIndex, cause: "field number \(number) is invalid")
        }
        let payload: ProtoField.Payload
        switch tag & 7 {
        case 0:
            payload = .varint(try varint())
        case 1:
            payload = .fixed64(try fixed(8))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw ProtoError(
                    offset: start - bytes.startIndex,
                    cause: "field \(number) claims \(length) bytes but \(bytes.endIndex - position) remain")
            }
            payload = .bytes(bytes[position..<position + Int(length)])
            position += Int(length)
        case 5:
            payload = .fixed32(UInt32(try fixed(4)))
        default:
            throw ProtoError(offset: start - bytes.startIndex, cause: "field \(number) has unsupported wire type \(tag & 7)")
        }
        return ProtoField(number: Int(number), payload: payload, offset: start - bytes.startIndex)
    }

    private mutating func varint() throws(ProtoError) -> UInt64 {
        let (value, next) = try Self.varint(in: bytes, at: position)
        position = next
        return value
    }

    /// The varint at index `position` of `bytes` and the index just past it (``Varint``'s rules).
    static func varint(in bytes: ArraySlice<UInt8>, at position: Int) throws(ProtoError) -> (value: UInt64, next: Int) {
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(Varint.Failure) in try Varint.decode(raw, at: position - bytes.startIndex) }
        }
        switch decoded {
        case .success(let (value, next)):
            return (value, bytes.startIndex + next)
        case .failure(let failure):
            throw ProtoError(offset: position - bytes.startIndex, cause: failure == .truncated ? "truncated varint" : "overlong varint")
        }
    }

    /// The values of a packed repeated varint field's bytes.
    static func packedVarints(_ bytes: ArraySlice<UInt8>) throws(ProtoError) -> [UInt64] {
        var values: [UInt64] = []
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let (value, next) = try varint(in: bytes, at: position)
            values.append(value)
            position = next
        }
        return values
    }

    private mutating func fixed(_ width: Int) throws(ProtoError) -> UInt64 {
        guard bytes.endIndex - position >= width else {
            throw ProtoError(offset: position - bytes.startIndex, cause: "truncated fixed\(width * 8)")
        }
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[position + index]) << (8 * index) }
        position += width
        return value
    }
}
