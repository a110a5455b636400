/// Why a `checkpoint` state file could not be parsed, with the line and column, as one line.
public struct StateFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let cause: String

    public var description: String { "line \(line), column \(column): \(cause)" }
}
