extension UnsafeRawBufferPointer {
    /// The little-endian `UInt32` at `offset`, which the caller has bounds-checked.
    @inlinable
    package func loadUInt32LE(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The little-endian `UInt64` at `offset`, which the caller has bounds-checked.
    @inlinable
    package func loadUInt64LE(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` as four little-endian bytes.
    @inlinable
    package mutating func appendUInt32LE(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends `value` as eight little-endian bytes.
    @inlinable
    package mutating func appendUInt64LE(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
