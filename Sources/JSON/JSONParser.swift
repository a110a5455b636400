/// Why a JSON text could not be parsed: the byte offset and the cause.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public let offset: Int
    public let cause: String

    public init(offset: Int, cause: String) {
        self.offset = offset
        self.cause = cause
    }

    public var description: String { "byte \(offset): \(cause)" }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259, strictly: no comments, no trailing commas, nothing
    /// after the value but whitespace). Integers that fit `Int64` become ``int``, other numbers
    /// ``double``; object members keep their order. Nesting deeper than 512 levels is refused,
    /// and so is an object that names a member twice: readers disagree on which one counts
    /// (this one would take the first, Python's the last).
    public init(parsing text: [UInt8]) throws(JSONError) {
        var parser = JSONParser(text: text)
        self = try parser.document()
    }
}

/// A recursive-descent reader over UTF-8 bytes.
private struct JSONParser {
    let text: [UInt8]
    var position = 0
    var depth = 0

    init(text: [UInt8]) {
        self.text = text
    }

    mutating func document() throws(JSONError) -> JSONValue {
        let value = try self.value()
        skipWhitespace()
        guard position == text.count else { throw error("unexpected bytes after the document") }
        return value
    }

    private mutating func value() throws(JSONError) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw error("unexpected end of text") }
        switch byte {
        case UInt8(ascii: "{"): return try nested { (parser) throws(JSONError) in try parser.object() }
        case UInt8(ascii: "["): return try nested { (parser) throws(JSONError) in try parser.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws(JSONError) -> JSONValue) throws(JSONError) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { throw error("nested too deeply") }
        position += 1
        return try body(&self)
    }

    private mutating func object() throws(JSONError) -> JSONValue {
        var members: [(String, JSONValue)] = []
        var names = Set<String>()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let start = position
            let key = try string()
            guard names.insert(key).inserted else {
                position = start
                throw error("the member name \(JSONValue.string(key).serialized()) appears twice in one object")
            }
            skipWhitespace()
            try expect(":")
            members.append((key, try value()))
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            try expect("}")
            return .object(members)
        }
    }

    private mutating func array() throws(JSONError) -> JSONValue {
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            try expect("]")
            return .array(elements)
        }
    }

    private mutating func string() throws(JSONError) -> String {
        position += 1
        var bytes: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let decoded = String(validating: bytes, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return decoded
            case UInt8(ascii: "\\"):
                try escape(into: &bytes)
            case 0..<0x20:
                throw error("control character in a string")
            default:
                bytes.append(byte)
            }
        }
    }

    private mutating func escape(into bytes: inout [UInt8]) throws(JSONError) {
        guard let byte = peek() else { throw error("unterminated escape") }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[byte] {
            bytes.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw error("unknown escape \\\(Unicode.Scalar(byte))") }
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard peek() == UInt8(ascii: "\\"), position + 1 < text.count, text[position + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate")
            }
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let value = Unicode.Scalar(scalar) else { throw error("unpaired surrogate") }
        bytes += Array(String(Character(value)).utf8)
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        guard position + 4 <= text.count, let value = UInt32(String(decoding: text[position..<(position + 4)], as: UTF8.self), radix: 16)
        else {
            throw error("expected four hex digits")
        }
        position += 4
        return value
    }

    private mutating func number() throws(JSONError) -> JSONValue {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw error("unexpected character") }
        position += 1
        if first != UInt8(ascii: "0") { digits() }
        var integral = true
        if peek() == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard let next = peek(), isDigit(next) else { throw error("expected a digit after the decimal point") }
            digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            integral = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let next = peek(), isDigit(next) else { throw error("expected a digit in the exponent") }
            digits()
        }
        let literal = String(decoding: text[start..<position], as: UTF8.self)
        if integral, let value = Int64(literal) { return .int(value) }
        guard let value = Double(literal) else { throw error("unreadable number \(literal)") }
        return .double(value)
    }

    private mutating func digits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func literal(_ word: String) throws(JSONError) {
        let bytes = Array(word.utf8)
        guard position + bytes.count <= text.count, Array(text[position..<(position + bytes.count)]) == bytes else {
            throw error("unexpected character")
        }
        position += bytes.count
    }

    private mutating func expect(_ character: Unicode.Scalar) throws(JSONError) {
        guard peek() == UInt8(ascii: character) else { throw error("expected '\(character)'") }
        position += 1
    }

    private func peek() -> UInt8? {
        position < text.count ? text[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private func error(_ cause: String) -> JSONError {
        JSONError(offset: position, cause: cause)
    }
}
