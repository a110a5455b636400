/// The contents of a directory's `checkpoint` file (`CheckpointState`): which prefixes a
/// training run keeps, newest last.
public struct CheckpointState: Sendable, Hashable {
    /// The newest checkpoint's prefix, as written (relative to the directory, or absolute).
    public var modelCheckpointPath: String?
    /// Every kept prefix, oldest first.
    public var allModelCheckpointPaths: [String] = []
    /// Unix seconds at which each kept prefix was written (empty, or one per path).
    public var allModelCheckpointTimestamps: [Double] = []
    /// Unix seconds of the last checkpoint kept for good by `keep_checkpoint_every_n_hours`.
    public var lastPreservedTimestamp: Double?

    public init() {}

    /// Parses the text format as TensorFlow reads it (Python `text_format.Merge`): fields in
    /// any order, repeated fields interleaved or in `[a, b]` lists, the last value of a
    /// singular field winning, optional `,`/`;` separators, both quote styles, C/octal/hex/
    /// Unicode escapes and raw UTF-8. Unknown fields are errors, as they make TensorFlow ignore
    /// the whole file.
    public init(parsing text: [UInt8]) throws(StateFileError) {
        var scanner = TextFormatScanner(text)
        var token = try scanner.next()
        while token != .end {
            guard case .identifier(let name) = token else { throw scanner.error("expected a field name") }
            guard Self.fields.contains(name) else {
                throw scanner.error("unknown field \(name) (TensorFlow ignores a state file that has one)")
            }
            guard try scanner.next() == .symbol(UInt8(ascii: ":")) else { throw scanner.error("expected ':' after \(name)") }
            var values: [TextFormatScanner.Token] = []
            token = try scanner.next()
            if token == .symbol(UInt8(ascii: "[")) {
                token = try scanner.next()
                while token != .symbol(UInt8(ascii: "]")) {
                    values.append(token)
                    token = try scanner.next()
                    if token == .symbol(UInt8(ascii: ",")) {
                        token = try scanner.next()
                    } else if token != .symbol(UInt8(ascii: "]")) {
                        throw scanner.error("expected ',' or ']' in the list of \(name)")
                    }
                }
            } else {
                values.append(token)
            }
            for value in values { try assign(name, value, scanner: scanner) }
            token = try scanner.next()
            if token == .symbol(UInt8(ascii: ",")) || token == .symbol(UInt8(ascii: ";")) { token = try scanner.next() }
        }
    }

    private static let fields: Set<String> = [
        "model_checkpoint_path", "all_model_checkpoint_paths", "all_model_checkpoint_timestamps", "last_preserved_timestamp",
    ]

    private mutating func assign(_ name: String, _ value: TextFormatScanner.Token, scanner: TextFormatScanner) throws(StateFileError) {
        switch name {
        case "model_checkpoint_path": modelCheckpointPath = try Self.string(value, name, scanner)
        case "all_model_checkpoint_paths": allModelCheckpointPaths.append(try Self.string(value, name, scanner))
        case "all_model_checkpoint_timestamps": allModelCheckpointTimestamps.append(try Self.double(value, name, scanner))
        case "last_preserved_timestamp": lastPreservedTimestamp = try Self.double(value, name, scanner)
        default: preconditionFailure("field names are checked before values are assigned")
        }
    }

    private static func string(
        _ token: TextFormatScanner.Token, _ name: String, _ scanner: TextFormatScanner
    ) throws(StateFileError) -> String {
        guard case .string(let bytes) = token else { throw scanner.error("\(name) needs a quoted string") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw scanner.error("\(name) is not valid UTF-8") }
        return text
    }

    private static func double(
        _ token: TextFormatScanner.Token, _ name: String, _ scanner: TextFormatScanner
    ) throws(StateFileError) -> Double {
        let text: String
        switch token {
        case .number(let number): text = number
        case .identifier(let word): text = word  // inf, nan, infinity
        default: throw scanner.error("\(name) needs a number")
        }
        var digits = Substring(text)
        let lowered = text.lowercased()
        if (lowered.hasSuffix("f")) && !lowered.hasSuffix("inf") { digits = digits.dropLast() }
        let normalized = String(digits).lowercased()
        let special: [String: Double] = [
            "inf": .infinity, "+inf": .infinity, "-inf": -.infinity, "infinity": .infinity,
            "-infinity": -.infinity, "nan": .nan, "-nan": .nan,
        ]
        if let value = special[normalized] { return value }
        guard let value = Double(normalized), value.isFinite else { throw scanner.error("\(name): '\(text)' is not a number") }
        return value
    }

    /// The text format exactly as TensorFlow's Python writer prints it.
    public func formatted() -> String {
        var out = ""
        if let path = modelCheckpointPath { out += "model_checkpoint_path: \(Self.quote(path))\n" }
        for path in allModelCheckpointPaths { out += "all_model_checkpoint_paths: \(Self.quote(path))\n" }
        for stamp in allModelCheckpointTimestamps { out += "all_model_checkpoint_timestamps: \(Self.number(stamp))\n" }
        if let stamp = lastPreservedTimestamp { out += "last_preserved_timestamp: \(Self.number(stamp))\n" }
        return out
    }

    private static func quote(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"): out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20, 0x7F:
                let octal = String(byte, radix: 8)
                out += Array(("\\" + String(repeating: "0", count: 3 - octal.count) + octal).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    private static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return "\(value)"
    }
}
