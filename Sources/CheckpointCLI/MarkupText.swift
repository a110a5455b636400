/// Text for XML and HTML documents (JUnit reports, the diff page).
enum MarkupText {
    /// `text` with the characters markup gives meaning to escaped (`&`, `<`, `>`, both quotes),
    /// usable in element content and in quoted attributes; control characters other than tab
    /// and newline, which XML 1.0 cannot carry, become `?`.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
