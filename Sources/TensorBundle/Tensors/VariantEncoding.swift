import BinaryCoding
import Checksums

/// The DT_VARIANT layout: per element a varint length, the serialized
/// `VariantTensorDataProto`, and a masked running checksum (4 bytes, LE).
public enum VariantEncoding {
    /// Decodes `count` variant payloads from `bytes`, which must be consumed exactly, and
    /// returns them with the (unmasked) CRC the entry should store.
    static func decode(_ bytes: UnsafeRawBufferPointer, count: Int) throws(EncodingFailure) -> (payloads: [[UInt8]], crc: UInt32) {
        var crc = CRC32C()
        var position = 0
        var payloads: [[UInt8]] = []
        for index in 0..<count {
            let length: UInt64
            do {
                (length, position) = try Varint.decode(bytes, at: position)
            } catch {
                throw EncodingFailure(.malformedVariant, "variant \(index): length runs past the tensor's \(bytes.count) bytes")
            }
            guard length <= UInt64(bytes.count - position), bytes.count - position - Int(length) >= 4 else {
                throw EncodingFailure(.malformedVariant, "variant \(index): \(length) bytes and a checksum do not fit in the tensor")
            }
            withUnsafeBytes(of: length.littleEndian) { crc.update($0) }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[position..<position + Int(length)])
            crc.update(payload)
            payloads.append(Array(payload))
            position += Int(length)
            let stored = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
            guard CRC32C.unmask(stored) == crc.value else {
                throw EncodingFailure(
                    .checksumMismatch,
                    "the checksum after variant \(index) does not match (stored \(CRC32C.unmask(stored)), computed \(crc.value))")
            }
            crc.update(UnsafeRawBufferPointer(rebasing: bytes[position..<position + 4]))
            position += 4
        }
        guard position == bytes.count else {
            throw EncodingFailure(.sizeMismatch, "variants take \(position) bytes but the entry's size is \(bytes.count)")
        }
        return (payloads, crc.value)
    }

    /// The encoding of `payloads` and its (unmasked) CRC.
    public static func encode(_ payloads: [[UInt8]]) -> (bytes: [UInt8], crc: UInt32) {
        var bytes: [UInt8] = []
        var crc = CRC32C()
        for payload in payloads {
            Varint.append(UInt64(payload.count), to: &bytes)
            withUnsafeBytes(of: UInt64(payload.count).littleEndian) { crc.update($0) }
            bytes.append(contentsOf: payload)
            crc.update(payload)
            withUnsafeBytes(of: CRC32C.mask(crc.value).littleEndian) { raw in
                bytes.append(contentsOf: raw)
                crc.update(raw)
            }
        }
        return (bytes, crc.value)
    }
}
