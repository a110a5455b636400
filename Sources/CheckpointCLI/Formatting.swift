import TensorBundle

/// Number and table formatting shared by the tools' text output.
public enum Formatting {
    /// `1.5 MB`, `820 B` (decimal units, as `ls -h --si` prints them).
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : fixed(value, digits: 1) + " " + units[unit]
    }

    /// `value` with `digits` digits after the point.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if text.contains("e") { return text }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        text = String(parts[0])
        guard digits > 0 else { return text }
        return text + "." + String((fraction + String(repeating: "0", count: digits)).prefix(digits))
    }

    /// `value` with three significant digits: `0.00123`, `4.56`, `1.23e-07`, `8.9e+12`.
    public static func significant(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return value == 0 ? "0" : "\(value)" }
        var exponent = 0
        var mantissa = abs(value)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        if Formatting.fixed(mantissa, digits: 2) == "10.00" { mantissa /= 10; exponent += 1 }
        let sign = value < 0 ? "-" : ""
        if exponent >= -4 && exponent < 6 {
            return sign + fixed(abs(value), digits: max(0, 2 - exponent))
        }
        let digits = String(abs(exponent))
        return sign + fixed(mantissa, digits: 2) + "e" + (exponent < 0 ? "-" : "+") + (digits.count < 2 ? "0" + digits : digits)
    }

    /// `12,345,678`.
    public static func grouped(_ value: Int64) -> String {
        let digits = Array(String(value.magnitude))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `[2, 3]` as TensorFlow prints shapes.
    public static func shape(_ shape: TensorShape) -> String {
        shape.description
    }

    /// Rows as lines of left-aligned columns (the last column unpadded), separated by two
    /// spaces; columns are as wide as their cells print (control characters escaped).
    public static func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        let rows = rows.map { $0.map(Terminal.printable) }
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var out: [String] = []
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                if rightAligned.contains(index) {
                    line += padding + cell
                } else {
                    line += index == row.count - 1 ? cell : cell + padding
                }
            }
            out.append(line)
        }
        return out
    }
}
