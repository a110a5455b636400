import BinaryCoding
import Checksums

/// The DT_STRING layout: N varint lengths, a masked length checksum (4 bytes, LE), then the
/// bytes of every element. The entry CRC covers the lengths as fixed-width integers, the
/// stored checksum, and the bytes.
public enum StringEncoding {
    /// Decodes `count` strings from `bytes`, which must be consumed exactly, and returns
    /// them with the (unmasked) CRC the entry should store.
    static func decode(_ bytes: UnsafeRawBufferPointer, count: Int) throws(EncodingFailure) -> (strings: [[UInt8]], crc: UInt32) {
        guard count <= bytes.count else {
            throw EncodingFailure(.sizeMismatch, "\(count) strings cannot fit in \(bytes.count) bytes")
        }
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        var crc = CRC32C()
        var position = 0
        for _ in 0..<count {
            let length: UInt64
            do {
                (length, position) = try Varint.decode(bytes, at: position)
            } catch {
                throw EncodingFailure(.malformedString, "string lengths run past the tensor's \(bytes.count) bytes")
            }
            appendLengthToCRC(length, &crc)
            guard length <= UInt64(bytes.count) else {
                throw EncodingFailure(.malformedString, "string length \(length) exceeds the tensor's \(bytes.count) bytes")
            }
            lengths.append(Int(length))
        }
        guard bytes.count - position >= 4 else {
            throw EncodingFailure(.malformedString, "no room for the length checksum after the string lengths")
        }
        let stored = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
        guard CRC32C.unmask(stored) == crc.value else {
            throw EncodingFailure(
                .lengthChecksumMismatch,
                "the length checksum does not match (stored \(CRC32C.unmask(stored)), computed \(crc.value))")
        }
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[position..<position + 4]))
        position += 4
        var strings: [[UInt8]] = []
        strings.reserveCapacity(count)
        for length in lengths {
            guard length <= bytes.count - position else {
                throw EncodingFailure(.malformedString, "string data runs past the tensor's \(bytes.count) bytes")
            }
            let element = UnsafeRawBufferPointer(rebasing: bytes[position..<position + length])
            crc.update(element)
            strings.append(Array(element))
            position += length
        }
        guard position == bytes.count else {
            throw EncodingFailure(.sizeMismatch, "strings take \(position) bytes but the entry's size is \(bytes.count)")
        }
        return (strings, crc.value)
    }

    /// The encoding of `strings` and its (unmasked) CRC.
    public static func encode(_ strings: [[UInt8]]) -> (bytes: [UInt8], crc: UInt32) {
        var bytes: [UInt8] = []
        var crc = CRC32C()
        for string in strings {
            Varint.append(UInt64(string.count), to: &bytes)
            appendLengthToCRC(UInt64(string.count), &crc)
        }
        let checksum = CRC32C.mask(crc.value)
        withUnsafeBytes(of: checksum.littleEndian) { raw in
            bytes.append(contentsOf: raw)
            crc.update(raw)
        }
        for string in strings {
            bytes.append(contentsOf: string)
            crc.update(string)
        }
        return (bytes, crc.value)
    }

    /// Lengths enter the CRC as 4-byte integers, or 8-byte ones when they exceed 32 bits.
    private static func appendLengthToCRC(_ length: UInt64, _ crc: inout CRC32C) {
        if length <= UInt64(UInt32.max) {
            withUnsafeBytes(of: UInt32(length).littleEndian) { crc.update($0) }
        } else {
            withUnsafeBytes(of: length.littleEndian) { crc.update($0) }
        }
    }
}
