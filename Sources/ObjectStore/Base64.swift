/// Standard base64 with padding, for checksum headers.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".unicodeScalars)

    static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var result = ""
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            result.unicodeScalars.append(alphabet[Int(value >> 18 & 63)])
            result.unicodeScalars.append(alphabet[Int(value >> 12 & 63)])
            result += second == nil ? "=" : String(alphabet[Int(value >> 6 & 63)])
            result += third == nil ? "=" : String(alphabet[Int(value & 63)])
        }
        return result
    }

    /// A CRC-32C as stores carry it: its four bytes, most significant first, in base64
    /// (`x-amz-checksum-crc32c`, Google's `crc32c` and `x-goog-hash: crc32c=`).
    static func crc32c(_ crc: UInt32) -> String {
        encode([UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
    }
}
