/// Printable forms of raw byte-string keys.
public enum KeyText {
    /// The key in double quotes: valid UTF-8 shown as is, except control characters, `"` and
    /// `\`, which are escaped; bytes that are not UTF-8 shown as `\xHH`.
    public static func escape(_ key: some Collection<UInt8>) -> String {
        let bytes = Array(key)
        var out = "\""
        var index = 0
        while index < bytes.count {
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
                out += "\\x" + hexByte(bytes[index])
                index += 1
                continue
            }
            index += UTF8.width(scalar)
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + hexByte(UInt8(scalar.value))
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
