import BinaryCoding

/// The one rule for a name that these tools join to a directory after reading it from a file
/// or a store (a delta's checkpoint name, an archive manifest's entries, a listing's keys): a
/// name they would never write is refused where it is read, never repaired into another one.
public enum FileName {
    /// Why `name` is not a plain file name, or nil when it is one: a plain name is not empty,
    /// not `.` or `..`, and holds no `/`, NUL or other control character.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "is \(name)" }
        if name.contains("/") { return "holds a /" }
        if name.unicodeScalars.contains(where: \.isControlCharacter) { return "holds a control character" }
        return nil
    }

    /// Whether `name` is a plain file name (see ``problem(with:)``).
    public static func isPlain(_ name: String) -> Bool {
        problem(with: name) == nil
    }

    /// `bytes` as a plain file name: valid UTF-8 that passes ``problem(with:)``; otherwise the
    /// reason it is not one.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<String, NameError> {
        guard let name = String(validating: bytes, as: UTF8.self) else {
            return .failure(NameError(name: KeyText.escape(bytes), problem: "is not valid UTF-8"))
        }
        if let problem = problem(with: name) { return .failure(NameError(name: KeyText.escape(bytes), problem: problem)) }
        return .success(name)
    }
}

/// A name that is not a plain file name: the name, escaped for display, and what is wrong.
public struct NameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name in quotes, control characters and bytes that are not UTF-8 escaped.
    public let name: String
    /// What is wrong with it: "holds a /".
    public let problem: String

    public var description: String { "the name \(name) \(problem)" }
}
