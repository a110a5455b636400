import BinaryCoding

/// Appends protocol-buffer fields in the canonical form TensorFlow's C++ serializer emits.
package struct ProtoEncoder: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    private mutating func tag(_ number: Int, _ type: WireType) {
        Varint.append(UInt64(number << 3) | UInt64(type.rawValue), to: &bytes)
    }

    /// An integer field; proto3 omits zero unless `always` is set. Negative values are
    /// written as 10-byte two's-complement varints, as for `int32`/`int64`.
    package mutating func int(_ number: Int, _ value: Int64, always: Bool = false) {
        guard value != 0 || always else { return }
        tag(number, .varint)
        Varint.append(UInt64(bitPattern: value), to: &bytes)
    }

    /// A `fixed32` field, always written.
    package mutating func fixed32(_ number: Int, _ value: UInt32) {
        tag(number, .fixed32)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A length-delimited field (a string, bytes or a nested message), always written.
    package mutating func bytes(_ number: Int, _ value: [UInt8]) {
        tag(number, .lengthDelimited)
        Varint.append(UInt64(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }
}
