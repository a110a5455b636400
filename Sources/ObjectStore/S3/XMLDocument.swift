/// Just enough XML for S3's answers: the text of elements found by name, in document order.
///
/// S3 responses are flat, machine-written documents (`ListBucketResult`, `Error`,
/// `InitiateMultipartUploadResult`); this reader finds `<Name>text</Name>` elements, decodes
/// the five predefined entities and numeric references, and ignores attributes, comments,
/// declarations and namespaces. It never traps on malformed input: what it cannot read (text
/// that is not valid UTF-8 included, which would otherwise be repaired into other text) is
/// simply not found.
struct XMLDocument {
    private let text: [UInt8]

    init(_ bytes: [UInt8]) {
        self.text = bytes
    }

    /// The text of the first element named `name`.
    func first(_ name: String) -> String? {
        elements(name).first.flatMap { decode(text[$0]) }
    }

    /// The texts of every element named `name`.
    func all(_ name: String) -> [String] {
        elements(name).compactMap { decode(text[$0]) }
    }

    /// The inner ranges of every element named `name`, each read as a document of its own.
    func sections(_ name: String) -> [XMLDocument] {
        elements(name).map { XMLDocument(Array(text[$0])) }
    }

    private func elements(_ name: String) -> [Range<Int>] {
        let open = Array("<\(name)".utf8)
        let close = Array("</\(name)>".utf8)
        var found: [Range<Int>] = []
        var index = 0
        while let start = find(open, from: index) {
            let after = start + open.count
            guard after < text.count else { break }
            let next = text[after]
            guard next == UInt8(ascii: ">") || next == UInt8(ascii: " ") || next == UInt8(ascii: "/") else {
                index = after
                continue
            }
            guard let tagEnd = find([UInt8(ascii: ">")], from: after) else { break }
            if text[tagEnd - 1] == UInt8(ascii: "/") {
                found.append(tagEnd + 1..<tagEnd + 1)
                index = tagEnd + 1
                continue
            }
            guard let end = find(close, from: tagEnd + 1) else { break }
            found.append(tagEnd + 1..<end)
            index = end + close.count
        }
        return found
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start <= text.count - needle.count else { return nil }
        var index = start
        while index <= text.count - needle.count {
            if text[index] == needle[0] && text[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private func decode(_ raw: ArraySlice<UInt8>) -> String? {
        guard let string = String(validating: raw, as: UTF8.self) else { return nil }
        guard string.contains("&") else { return string }
        var result = ""
        var rest = Substring(string)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            rest = rest[amp...]
            guard let semicolon = rest.firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                result += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            if let character = Self.entity(entity) {
                result.unicodeScalars.append(character)
            } else {
                result += rest[amp...semicolon]
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    private static func entity(_ name: Substring) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let value: UInt32?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                value = UInt32(name.dropFirst(2), radix: 16)
            } else if name.hasPrefix("#") {
                value = UInt32(name.dropFirst())
            } else {
                value = nil
            }
            return value.flatMap(Unicode.Scalar.init)
        }
    }

    /// `text` with `&`, `<`, `>` escaped, for request bodies.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
