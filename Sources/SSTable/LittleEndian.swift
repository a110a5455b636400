extension UnsafeRawBufferPointer {
    /// The little-endian `UInt32` at `offset`, which the caller has bounds-checked.
    @inlinable
    func loadUInt32LE(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` as four little-endian bytes.
    @inlinable
    mutating func appendUInt32LE(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
