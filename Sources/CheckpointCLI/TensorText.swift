import Diffing
import Glibc
import TensorBundle

/// A tensor's values as numpy prints them (`print(reader.get_tensor(name))`, which is what
/// `inspect_checkpoint --tensor_name` shows): nested brackets, columns aligned, floats in
/// positional or scientific notation chosen for the whole array, rows wrapped at 75 columns,
/// and for more than 1000 elements only the first and last 3 of each dimension, with `...`.
enum TensorText {
    static let threshold = 1000
    static let edgeItems = 3
    static let lineWidth = 75

    /// The lines that print `value` (all of it with `everything`).
    static func lines(_ value: TensorValue, everything: Bool) -> [String] {
        let elements = TensorElements(value)
        let shape = value.shape.dimensions.map { Int($0) }
        let summarize = !everything && elements.count > threshold
        // The elements shown, which set the format (numpy formats only what it prints).
        let shown = indices(shape, summarize: summarize)
        let format = Format(shown.map(elements.element), dtype: value.dtype)
        guard !shape.isEmpty else { return [format.text(elements.element(0))] }
        guard elements.count > 0 else { return ["[]"] }
        let text = block(shape, offset: 0, stride: elements.count, depth: 0, summarize: summarize) { index in
            format.text(elements.element(index))
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The row-major indices numpy shows of a tensor of `shape`.
    private static func indices(_ shape: [Int], summarize: Bool) -> [Int] {
        guard !shape.isEmpty else { return [0] }
        var result: [Int] = []
        func walk(_ dimension: Int, _ base: Int, _ stride: Int) {
            let length = shape[dimension]
            let inner = stride / max(length, 1)
            for index in kept(length, summarize: summarize) {
                let offset = base + index * inner
                if dimension == shape.count - 1 { result.append(offset) } else { walk(dimension + 1, offset, inner) }
            }
        }
        walk(0, 0, shape.reduce(1, *))
        return result
    }

    /// The positions of a dimension of `length` that are shown.
    private static func kept(_ length: Int, summarize: Bool) -> [Int] {
        guard summarize, length > 2 * edgeItems else { return Array(0..<length) }
        return Array(0..<edgeItems) + Array((length - edgeItems)..<length)
    }

    /// One bracketed block: the dimensions `shape[depth...]` of the elements from `offset`.
    private static func block(_ shape: [Int], offset: Int, stride: Int, depth: Int, summarize: Bool, text: (Int) -> String) -> String {
        let length = shape[depth]
        let inner = stride / max(length, 1)
        let positions = kept(length, summarize: summarize)
        let elided = summarize && length > 2 * edgeItems
        let indent = String(repeating: " ", count: depth + 1)
        if depth == shape.count - 1 {
            var cells = positions.map { text(offset + $0) }
            if elided { cells.insert("...", at: edgeItems) }
            // Rows wrap at the line width; continuation lines start one column past the bracket.
            var lines: [String] = []
            var line = "["
            var column = depth + 1
            for (index, cell) in cells.enumerated() {
                let word = cell + (index == cells.count - 1 ? "]" : " ")
                if column + word.count > lineWidth && line.count > 1 {
                    lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
                    line = String(repeating: " ", count: depth + 1)
                    column = depth + 1
                }
                line += word
                column += word.count
            }
            lines.append(line)
            return lines.joined(separator: "\n")
        }
        var parts = positions.map {
            block(shape, offset: offset + $0 * inner, stride: inner, depth: depth + 1, summarize: summarize, text: text)
        }
        if elided { parts.insert("...", at: edgeItems) }
        let gap = String(repeating: "\n", count: shape.count - depth - 1)
        return "[" + parts.joined(separator: gap + indent) + "]"
    }

    /// How every element of one array is written, decided over the elements shown.
    private struct Format {
        /// Positional (`0.125`) or scientific (`1.25e-01`), with the fraction digits of the
        /// element that needs most.
        let scientific: Bool
        let digits: Int
        /// The width numbers are right-aligned to (strings are not aligned, as numpy's object
        /// arrays are not).
        let width: Int
        /// Whether a value is the same at the tensor's own precision (float32 values print
        /// with the digits float32 needs, not those of the double they are decoded to).
        let same: @Sendable (Double, Double) -> Bool

        init(_ elements: [TensorElements.Element], dtype: DataType) {
            let same = Self.comparison(for: dtype)
            let floats = elements.flatMap { element -> [Double] in
                switch element {
                case .float(let value): [value]
                case .complex(let real, let imaginary): [real, imaginary]
                default: []
                }
            }
            let magnitudes = floats.filter { $0.isFinite && $0 != 0 }.map(abs)
            let (low, high) = (magnitudes.min() ?? 0, magnitudes.max() ?? 0)
            let scientific = high >= 1e8 || (low > 0 && (low < 1e-4 || high / low > 1e3))
            let digits =
                floats.filter(\.isFinite).map { value in Self.shortest(value, scientific: scientific) { same($0, value) } }.max() ?? 0
            let unaligned = Format(scientific: scientific, digits: digits, width: 0, same: same)
            let numbers = elements.filter { if case .bytes = $0 { false } else { true } }
            self.init(scientific: scientific, digits: digits, width: numbers.map { unaligned.text($0).count }.max() ?? 0, same: same)
        }

        private init(scientific: Bool, digits: Int, width: Int, same: @escaping @Sendable (Double, Double) -> Bool) {
            self.scientific = scientific
            self.digits = digits
            self.width = width
            self.same = same
        }

        /// Whether two doubles are one value of `dtype` (numpy formats a float32 array with the
        /// digits that tell its float32 values apart).
        private static func comparison(for dtype: DataType) -> @Sendable (Double, Double) -> Bool {
            switch dtype.name {
            case "float32", "complex64": { Float($0) == Float($1) }
            case "float16", "bfloat16", "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2fnuz",
                "float4_e2m1fn":
                { Float16($0) == Float16($1) }
            default: { $0 == $1 }
            }
        }

        /// `element`, right-aligned to the array's width; floats padded on the right to line up
        /// their points, as numpy does.
        func text(_ element: TensorElements.Element) -> String {
            let raw: String
            switch element {
            case .float(let value): raw = float(value)
            case .complex(let real, let imaginary):
                raw = float(real) + (imaginary.sign == .minus ? "-" : "+") + float(abs(imaginary)).trimmingCharacters(" ") + "j"
            case .signed(let value): raw = String(value)
            case .unsigned(let value): raw = String(value)
            case .bool(let value): raw = value ? "True" : "False"
            case .bytes(let bytes): return Self.pythonBytes(bytes)
            }
            return String(repeating: " ", count: max(0, width - raw.count)) + raw
        }

        private func float(_ value: Double) -> String {
            guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
            if scientific { return Self.written(value, digits: digits, scientific: true) }
            let own = Self.shortest(value, scientific: false) { same($0, value) }
            return Self.written(value, digits: own, scientific: false) + String(repeating: " ", count: digits - own)
        }

        /// The fewest fraction digits whose text reads back as `value` by `same`; when more
        /// than 8 would be needed, 8 less the trailing zeros of the value rounded to 8 (numpy's
        /// `maxprec` mode at precision 8).
        private static func shortest(_ value: Double, scientific: Bool, same: (Double) -> Bool) -> Int {
            if let digits = (0...8).first(where: { Double(written(value, digits: $0, scientific: scientific)).map(same) ?? false }) {
                return digits
            }
            let mantissa = written(value, digits: 8, scientific: scientific).prefix { $0 != "e" }
            return 8 - mantissa.reversed().prefix { $0 == "0" }.count
        }

        /// `value` with `digits` fraction digits, positional (`3.`, `0.125`) or scientific
        /// (`1.25e-01`), as numpy writes them.
        private static func written(_ value: Double, digits: Int, scientific: Bool) -> String {
            guard scientific else {
                let text = Formatting.fixed(value, digits: digits)
                return digits == 0 ? text + "." : text
            }
            guard value != 0 else { return written(0, digits: digits, scientific: false) + "e+00" }
            var exponent = Int(floor(log10(abs(value))))
            var mantissa = value / pow(10, Double(exponent))
            if abs(Double(written(mantissa, digits: digits, scientific: false)) ?? mantissa) >= 10 {
                exponent += 1
                mantissa = value / pow(10, Double(exponent))
            }
            let power = String(abs(exponent))
            return written(mantissa, digits: digits, scientific: false) + "e" + (exponent < 0 ? "-" : "+")
                + (power.count < 2 ? "0" + power : power)
        }

        /// Python's `repr` of a bytes object: `b'abc'`, escapes for the rest.
        static func pythonBytes(_ bytes: [UInt8]) -> String {
            let quote: UInt8 = bytes.contains(0x27) && !bytes.contains(0x22) ? 0x22 : 0x27
            var out = "b" + String(UnicodeScalar(quote))
            for byte in bytes {
                switch byte {
                case 0x5C: out += "\\\\"
                case quote: out += "\\" + String(UnicodeScalar(byte))
                case 0x09: out += "\\t"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x20..<0x7F: out.unicodeScalars.append(UnicodeScalar(byte))
                default: out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
                }
            }
            return out + String(UnicodeScalar(quote))
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(_ character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
