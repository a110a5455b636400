import ArgumentParser
import TensorBundle

/// `ckptdiff`: what changed between two checkpoints, variable by variable.
public struct DiffCommand: StatusCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ckptdiff",
        abstract: "Compare two TensorFlow checkpoints variable by variable.",
        discussion: """
            A and B are checkpoint prefixes, .index files, or directories (their newest checkpoint).
            Exit status: 0 when every variable is identical, 1 when anything differs, 2 on trouble.
            """,
        version: ToolVersion.current)

    @Argument(help: "The earlier checkpoint.")
    var a: String

    @Argument(help: "The later checkpoint.")
    var b: String

    @Flag(help: "Write one JSON document to standard output.")
    var json = false

    @Flag(help: "Also list identical variables.")
    var all = false

    public init() {}

    public func execute() throws -> ToolStatus {
        let bundleA = try Self.open(a)
        let bundleB = try Self.open(b)
        let comparisons = try VariableComparison.compare(bundleA, bundleB)
        let identical = comparisons.allSatisfy { $0.status == .identical }
        if json {
            let document = JSONValue.object([
                ("a", .string(bundleA.prefix)),
                ("b", .string(bundleB.prefix)),
                ("identical", .bool(identical)),
                ("variables", .array(comparisons.map(\.json))),
            ])
            Terminal.out(document.serialized() + "\n")
        } else {
            Terminal.out(DiffOutput.text(comparisons, a: bundleA.prefix, b: bundleB.prefix, all: all))
        }
        return identical ? .clean : .findings
    }

    private static func open(_ path: String) throws(ToolError) -> Bundle {
        let prefixes = try CheckpointLocator.prefixes(for: path, latestOnly: true)
        do {
            return try Bundle(prefix: prefixes[0])
        } catch {
            throw ToolError(error.description)
        }
    }
}
