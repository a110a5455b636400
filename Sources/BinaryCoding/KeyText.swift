/// Printable forms of raw byte-string keys and of text read from files and stores.
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
                out += "\\x" + hex(bytes[index], digits: 2)
                index += 1
                continue
            }
            index += UTF8.width(scalar)
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: appendEscaping(scalar, to: &out)
            }
        }
        return out + "\""
    }

    /// `text` with every control character written as an escape (`\n`, `\t`, `\r`, `\x1b`,
    /// `\u0085`) and everything else as it is: safe to print within one line of a terminal,
    /// where no part of it can end the line, move the cursor or ring the bell.
    public static func inline(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: \.isControlCharacter) else { return text }
        var out = ""
        for scalar in text.unicodeScalars { appendEscaping(scalar, to: &out) }
        return out
    }

    private static func appendEscaping(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar {
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case _ where scalar.value <= 0x7F && scalar.isControlCharacter: out += "\\x" + hex(scalar.value, digits: 2)
        case _ where scalar.isControlCharacter: out += "\\u" + hex(scalar.value, digits: 4)
        default: out.unicodeScalars.append(scalar)
        }
    }

    private static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

extension Unicode.Scalar {
    /// Whether this is a control character (Unicode's general category Cc: U+0000–U+001F and
    /// U+007F–U+009F), which a terminal may act on instead of showing.
    public var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
