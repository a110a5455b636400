/// Secrets kept out of what the tools print.
enum Redaction {
    /// `text` with the user info of every URL in it (`http://KEY:SECRET@host`) replaced by
    /// `REDACTED`: an endpoint or argument written with credentials in it is named without them.
    static func userInfo(in text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the path, the query, the fragment or a space.
            let authority = rest.prefix { !"/?# \t".contains($0) }
            if let at = authority.lastIndex(of: "@") {
                out += "REDACTED"
                rest = rest[at...]
            }
        }
        return out + rest
    }
}
