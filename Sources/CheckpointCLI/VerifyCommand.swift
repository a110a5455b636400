import ArgumentParser
import JSON
import MappedIO
import Parallelism
import TensorBundle
import Verification

/// `ckptverify`: checks checkpoints before a job resumes or a checkpoint is promoted.
public struct VerifyCommand: StatusCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ckptverify",
        abstract: "Verify TensorFlow checkpoints: the index structure, every tensor against its checksum, and what TensorFlow never checks.",
        discussion: """
            Each PATH is a checkpoint directory (its `checkpoint` state file, every checkpoint it \
            names and every *.index in it), a checkpoint prefix, or an .index file.
            Exit status: 0 when no errors were found (warnings allowed), 1 when any error was found, \
            2 when the check could not run. Finding codes are listed in the README.
            """,
        version: ToolVersion.current)

    @Argument(help: "Checkpoint directories, prefixes or .index files.")
    var paths: [String]

    @Flag(help: "List each checkpoint's variables (name, dtype, shape, shard, bytes, parameters) instead of verifying.")
    var list = false

    @Flag(help: "Write one JSON document to standard output.")
    var json = false

    @Option(help: ArgumentHelp("Also write the results as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @Flag(help: "Only the newest checkpoint of each directory.")
    var latest = false

    @Option(help: "Worker threads for the data pass (default: all cores).")
    var jobs: Int = Parallelism.availableCores

    @Flag(help: "Check the index, entries and files but do not read tensor data.")
    var structureOnly = false

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    public init() {}

    public func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    public func execute() throws -> ToolStatus {
        var prefixes: [String] = []
        var directories: [String] = []
        for path in paths {
            if FileSystem.kind(of: path) == .directory { directories.append(path) }
            prefixes += try CheckpointLocator.prefixes(for: path, latestOnly: latest)
        }
        return list ? try listCheckpoints(prefixes) : try verifyCheckpoints(prefixes, directories: directories)
    }

    /// Lists each checkpoint whose structure is sound; a damaged one gets its errors on
    /// standard error instead (its entries cannot be trusted to describe anything), and the
    /// status is then 1.
    private func listCheckpoints(_ prefixes: [String]) throws -> ToolStatus {
        var documents: [JSONValue] = []
        var status = ToolStatus.clean
        let verifier = Verifier.forReading(jobs: jobs, structureOnly: true)
        for prefix in prefixes {
            let (bundle, report) = try CheckpointGate.open(prefix, verifier: verifier)
            guard report.ok else {
                for finding in report.findings where finding.severity == .error {
                    Terminal.error(VerifyOutput.line(finding, defaultPath: prefix))
                }
                status = .findings
                continue
            }
            let summaries = bundle.summaries
            if json {
                documents.append(ListingOutput.json(prefix: prefix, summaries: summaries, shardCount: bundle.header?.numShards))
            } else {
                Terminal.out(ListingOutput.text(prefix: prefix, summaries: summaries, shardCount: bundle.header?.numShards))
            }
        }
        if json { Terminal.out(JSONValue.object([("checkpoints", .array(documents))]).serialized() + "\n") }
        return status
    }

    private func verifyCheckpoints(_ prefixes: [String], directories: [String]) throws -> ToolStatus {
        var verifier = Verifier()
        verifier.structureOnly = structureOnly
        verifier.jobs = jobs
        let directoryReports = directories.map { verifier.verify(directory: $0) }
        for report in directoryReports where !json { Terminal.out(VerifyOutput.text(report)) }
        let covered = Set(directories.map { Path.directory(of: Path.join($0, "x")) })
        var reports: [CheckpointReport] = []
        for prefix in prefixes {
            verifier.checkDebris = !covered.contains(Path.directory(of: prefix))
            let meter = !json && !quiet && !structureOnly && ProgressMeter.isWanted
                ? ProgressMeter(total: Verifier.dataBytes(prefix: prefix), label: Path.fileName(of: prefix)) : nil
            if let meter {
                verifier.progress = { meter.add($0) }
            } else {
                verifier.progress = nil
            }
            let report = verifier.verify(prefix: prefix)
            meter?.finish()
            if !json { Terminal.out(VerifyOutput.text(report, quiet: quiet)) }
            reports.append(report)
        }
        if json { Terminal.out(VerifyOutput.json(reports, directories: directoryReports).serialized() + "\n") }
        if let junit {
            do {
                try OutputFile.write(Array(JUnitReport.xml(checkpoints: reports, directories: directoryReports).utf8), to: junit, overwrite: true)
            } catch {
                throw ToolError(error.description)
            }
        }
        return reports.allSatisfy(\.ok) && directoryReports.allSatisfy(\.ok) ? .clean : .findings
    }
}
