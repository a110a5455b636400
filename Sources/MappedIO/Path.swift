/// POSIX path manipulation on strings (no file-system access).
public enum Path {
    /// `a/b` joined, unless `component` is absolute, which replaces `base` (like `os.path.join`).
    public static func join(_ base: String, _ component: String) -> String {
        if component.hasPrefix("/") || base.isEmpty { return component }
        return base.hasSuffix("/") ? base + component : base + "/" + component
    }

    /// The part before the last `/` (`.` when there is none, `/` for a root entry).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The part after the last `/`.
    public static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Whether `path` is absolute in the POSIX sense (starts with `/`).
    public static func isAbsolute(_ path: String) -> Bool {
        path.hasPrefix("/")
    }
}
