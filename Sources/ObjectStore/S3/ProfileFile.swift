import MappedIO

/// The AWS shared configuration files (`~/.aws/config`, `~/.aws/credentials`): INI sections of
/// `key = value` lines.
///
/// `[default]` and `[NAME]` in the credentials file, `[default]` and `[profile NAME]` in the
/// config file. Indented lines (the nested `s3 =` settings) and comments (`#`, `;`) are skipped.
struct ProfileFile: Sendable {
    private var sections: [String: [String: String]] = [:]

    /// Parses `text`; later duplicates of a key win, as in the AWS CLI.
    init(text: String) {
        var current: String? = nil
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingSpaces
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingSpaces.lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingSpaces
            sections[current, default: [:]][key] = value
        }
    }

    /// Reads the file at `path`; an absent file is empty, an unreadable one an error.
    init(path: String) throws(FileError) {
        switch FileSystem.kind(of: path) {
        case .missing:
            self.init(text: "")
        default:
            let bytes = try MappedFile(path: path).withUnsafeBytes { Array($0) }
            self.init(text: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The settings of section `name`, if present.
    func section(_ name: String) -> [String: String]? {
        sections[name]
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
