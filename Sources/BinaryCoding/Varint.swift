/// Unsigned LEB128 varints as LevelDB and protocol buffers write them.
package enum Varint {
    /// Why a varint could not be decoded.
    package enum Failure: Error, Sendable, Hashable {
        /// The bytes ended before the varint did.
        case truncated
        /// More bytes than the type allows (5 for 32 bits, 10 for 64), or a value past its range.
        case overlong
    }

    /// Decodes a varint of at most `maximumBytes` bytes and at most `maximumValue` from
    /// `bytes` at `offset`, returning the value and the offset just past it.
    @inlinable
    package static func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, maximumBytes: Int = 10, maximumValue: UInt64 = .max
    ) throws(Failure) -> (value: UInt64, next: Int) {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = offset
        while true {
            guard index < bytes.count else { throw .truncated }
            guard index - offset < maximumBytes else { throw .overlong }
            let byte = bytes[index]
            index += 1
            let payload = UInt64(byte & 0x7F)
            // The tenth byte of a 64-bit varint may only carry the top bit.
            if shift == 63 && payload > 1 { throw .overlong }
            result |= payload << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard result <= maximumValue else { throw .overlong }
        return (result, index)
    }

    /// Decodes a varint32 (at most 5 bytes, at most 2³²−1).
    @inlinable
    package static func decode32(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Failure) -> (value: Int, next: Int) {
        let (value, next) = try decode(bytes, at: offset, maximumBytes: 5, maximumValue: UInt64(UInt32.max))
        return (Int(value), next)
    }

    /// Appends the varint encoding of `value` to `output`.
    @inlinable
    package static func append(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }
}
