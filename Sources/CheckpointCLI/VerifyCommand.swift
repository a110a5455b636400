import ArgumentParser
import TensorBundle
import Verification

/// `ckptverify`: checks checkpoints before a job resumes or a checkpoint is promoted.
public struct VerifyCommand: StatusCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ckptverify",
        abstract: "Verify TensorFlow checkpoints: the index structure and every tensor against its checksum.",
        discussion: """
            Each PATH is a checkpoint directory (every checkpoint its `checkpoint` file names, and \
            every *.index in it), a checkpoint prefix, or an .index file.
            Exit status: 0 when no errors were found (warnings allowed), 1 when any error was found, \
            2 when the check could not run.
            """,
        version: ToolVersion.current)

    @Argument(help: "Checkpoint directories, prefixes or .index files.")
    var paths: [String]

    @Flag(help: "List each checkpoint's variables (name, dtype, shape, shard, bytes, parameters) instead of verifying.")
    var list = false

    @Flag(help: "Write one JSON document to standard output.")
    var json = false

    @Flag(help: "Only the newest checkpoint of each directory.")
    var latest = false

    @Flag(help: "Check the index and entries but do not read tensor data.")
    var structureOnly = false

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    public init() {}

    public func execute() throws -> ToolStatus {
        var prefixes: [String] = []
        for path in paths { prefixes += try CheckpointLocator.prefixes(for: path, latestOnly: latest) }
        return list ? try listCheckpoints(prefixes) : verifyCheckpoints(prefixes)
    }

    private func listCheckpoints(_ prefixes: [String]) throws -> ToolStatus {
        var documents: [JSONValue] = []
        for prefix in prefixes {
            let bundle: Bundle
            do {
                bundle = try Bundle(prefix: prefix)
            } catch {
                throw ToolError(error.description)
            }
            let summaries = bundle.summaries
            if json {
                documents.append(ListingOutput.json(prefix: prefix, summaries: summaries, shardCount: bundle.header?.numShards))
            } else {
                Terminal.out(ListingOutput.text(prefix: prefix, summaries: summaries, shardCount: bundle.header?.numShards))
            }
        }
        if json { Terminal.out(JSONValue.object([("checkpoints", .array(documents))]).serialized() + "\n") }
        return .clean
    }

    private func verifyCheckpoints(_ prefixes: [String]) -> ToolStatus {
        var verifier = Verifier()
        verifier.structureOnly = structureOnly
        let reports = prefixes.map { verifier.verify(prefix: $0) }
        if json {
            Terminal.out(VerifyOutput.json(reports).serialized() + "\n")
        } else {
            for report in reports { Terminal.out(VerifyOutput.text(report, quiet: quiet)) }
        }
        return reports.allSatisfy(\.ok) ? .clean : .findings
    }
}
