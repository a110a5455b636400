/// Splits protobuf text format into tokens the way Python's `text_format.Merge` reads it:
/// `#` comments, single- or double-quoted strings with C escapes (adjacent literals joined),
/// numbers including `inf`/`nan`, identifiers and punctuation.
struct TextFormatScanner {
    enum Token: Equatable {
        case identifier(String)
        case string([UInt8])
        case number(String)
        case symbol(UInt8)
        case end
    }

    private let text: [UInt8]
    private var position = 0
    private(set) var line = 1
    private var lineStart = 0
    /// Where the token most recently returned by ``next()`` starts.
    private(set) var tokenLine = 1
    private(set) var tokenColumn = 1

    init(_ text: [UInt8]) {
        self.text = text
    }

    func error(_ cause: String) -> StateFileError {
        StateFileError(line: tokenLine, column: tokenColumn, cause: cause)
    }

    mutating func next() throws(StateFileError) -> Token {
        skipSpaceAndComments()
        tokenLine = line
        tokenColumn = position - lineStart + 1
        guard position < text.count else { return .end }
        let byte = text[position]
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            var value: [UInt8] = []
            // Adjacent string literals are one string.
            while position < text.count && (text[position] == UInt8(ascii: "\"") || text[position] == UInt8(ascii: "'")) {
                value += try quoted()
                skipSpaceAndComments()
            }
            return .string(value)
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(
                take(while: { Self.isWordByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }))
        case _ where Self.isWordByte(byte):
            return .identifier(take(while: Self.isWordByte))
        default:
            position += 1
            return .symbol(byte)
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    private mutating func take(while predicate: (UInt8) -> Bool) -> String {
        let start = position
        while position < text.count && predicate(text[position]) { position += 1 }
        return String(decoding: text[start..<position], as: UTF8.self)
    }

    private mutating func skipSpaceAndComments() {
        while position < text.count {
            switch text[position] {
            case UInt8(ascii: "\n"):
                position += 1
                line += 1
                lineStart = position
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                position += 1
            case UInt8(ascii: "#"):
                while position < text.count && text[position] != UInt8(ascii: "\n") { position += 1 }
            default:
                return
            }
        }
    }

    /// One quoted literal at `position`, unescaped to bytes.
    private mutating func quoted() throws(StateFileError) -> [UInt8] {
        let quote = text[position]
        position += 1
        var value: [UInt8] = []
        while true {
            guard position < text.count, text[position] != UInt8(ascii: "\n") else { throw error("unterminated string") }
            let byte = text[position]
            position += 1
            if byte == quote { return value }
            guard byte == UInt8(ascii: "\\") else {
                value.append(byte)
                continue
            }
            guard position < text.count else { throw error("unterminated string") }
            let escape = text[position]
            position += 1
            switch escape {
            case UInt8(ascii: "n"): value.append(0x0A)
            case UInt8(ascii: "r"): value.append(0x0D)
            case UInt8(ascii: "t"): value.append(0x09)
            case UInt8(ascii: "a"): value.append(0x07)
            case UInt8(ascii: "b"): value.append(0x08)
            case UInt8(ascii: "f"): value.append(0x0C)
            case UInt8(ascii: "v"): value.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "?"): value.append(escape)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var code = Int(escape - UInt8(ascii: "0"))
                for _ in 0..<2 where position < text.count && (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(text[position]) {
                    code = code * 8 + Int(text[position] - UInt8(ascii: "0"))
                    position += 1
                }
                guard code <= 0xFF else { throw error("octal escape \\\(String(code, radix: 8)) is larger than a byte") }
                value.append(UInt8(code))
            case UInt8(ascii: "x"):
                let digits = hexDigits(maximum: 2)
                guard !digits.isEmpty else { throw error("\\x escape without hex digits") }
                value.append(UInt8(Int(digits, radix: 16)!))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let width = escape == UInt8(ascii: "u") ? 4 : 8
                let digits = hexDigits(maximum: width)
                guard digits.count == width, let scalar = Unicode.Scalar(UInt32(digits, radix: 16)!) else {
                    throw error("bad \\\(Character(Unicode.Scalar(escape))) escape")
                }
                value += Array(String(Character(scalar)).utf8)
            default:
                throw error("unknown escape \\\(Character(Unicode.Scalar(escape)))")
            }
        }
    }

    private mutating func hexDigits(maximum: Int) -> String {
        var digits = ""
        while digits.count < maximum, position < text.count,
            let scalar = Optional(Unicode.Scalar(text[position])), scalar.properties.isASCIIHexDigit
        {
            digits.unicodeScalars.append(scalar)
            position += 1
        }
        return digits
    }
}
