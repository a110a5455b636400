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
        abstract:
            "Verify TensorFlow checkpoints: the index structure, every tensor against its checksum, and what TensorFlow never checks.",
        discussion: """
            Each PATH is a checkpoint directory (its `checkpoint` state file, every checkpoint it \
            names and every *.index in it), a checkpoint prefix, or an .index file; on a local disk \
            or in an S3-compatible object store (s3://BUCKET/KEY; credentials, region and endpoint \
            as for the AWS CLI, see the README).
            A checkpoint too large for one machine is verified in shares: `--part I/N` on N machines \
            writes N partial reports, and `--merge` combines them into the report one run gives.
            Exit status: 0 when no errors were found (warnings allowed), 1 when any error was found, \
            2 when the check could not run. Finding codes are listed in the README.
            """,
        version: ToolVersion.current)

    @Argument(help: "Checkpoint directories, prefixes or .index files (local or s3://); with --merge, partial reports.")
    var paths: [String]

    @Flag(help: "List each checkpoint's variables (name, dtype, shape, shard, bytes, parameters) instead of verifying.")
    var list = false

    @Flag(
        help:
            "With --list: the tensors by their stored keys, in stored order (default: by the names the object graph or TF1 conventions give, slots under their variables)."
    )
    var keys = false

    @Flag(help: "Write one JSON document to standard output.")
    var json = false

    @Option(help: ArgumentHelp("Also write the results as JUnit XML to this file (a new file unless --force).", valueName: "file"))
    var junit: String?

    @Flag(help: "With --junit or --npy: replace an existing regular file (never a link, a special file or a file this run reads).")
    var force = false

    @Option(
        help: ArgumentHelp(
            "Print the values of one variable (the name --list prints, or its stored key) after verifying its checksum, as numpy prints them.",
            valueName: "name"))
    var show: String?

    @Flag(help: "With --show: print every value (default: arrays over 1000 elements summarized as numpy does).")
    var all = false

    @Option(help: ArgumentHelp("With --show: also write the values as a .npy file numpy.load reads.", valueName: "file"))
    var npy: String?

    @Flag(help: "Only the newest checkpoint of each directory.")
    var latest = false

    @OptionGroup var workers: WorkerOptions

    @Flag(help: "Check the index, entries and files but do not read tensor data.")
    var structureOnly = false

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Check only share I of N of each checkpoint's data (I from 0; `--part N` takes I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID) and print a partial JSON report for --merge.",
            valueName: "I/N"))
    var part: String?

    @Flag(help: "Combine the partial reports given as PATHs (one per share) into the report of one whole run.")
    var merge = false

    public init() {}

    public func validate() throws {
        guard !(merge && (part != nil || list)) else {
            throw ValidationError("--merge takes partial reports: it cannot be combined with --part or --list")
        }
        guard !(part != nil && (list || structureOnly)) else {
            throw ValidationError("--part splits the data pass: it cannot be combined with --list or --structure-only")
        }
        guard !force || junit != nil || npy != nil else { throw ValidationError("--force applies to the --junit and --npy files only") }
        guard show == nil || (paths.count == 1 && !list && !merge && part == nil) else {
            throw ValidationError("--show takes one checkpoint, and not with --list, --merge or --part")
        }
        guard show != nil || (!all && npy == nil) else { throw ValidationError("--all and --npy go with --show") }
    }

    public func execute() throws -> ToolStatus {
        // Refused before the work rather than after it; checked again, inputs known, when written.
        if let junit { try OutputPath.check(junit, force: force) }
        if let npy { try OutputPath.check(npy, force: force) }
        if merge { return try mergePartials() }
        if let show { return try showVariable(show) }
        let share = try part.map { (text) throws(ToolError) in try PartialReport.share(text, environment: PartialReport.environment) }
        let (targets, directoryReports) = try Self.locate(paths, latestOnly: latest)
        if list { return try listCheckpoints(targets) }
        if let share { return try verifyShare(share, of: targets) }
        printDirectories(directoryReports)
        return try report(verifyCheckpoints(targets, directories: directoryReports).map(\.report), directories: directoryReports)
    }

    /// The checkpoints `paths` name, in order, and the reports of the training directories among them.
    private static func locate(_ paths: [String], latestOnly: Bool) throws -> ([CheckpointTarget], [DirectoryReport]) {
        var targets: [CheckpointTarget] = []
        var directories: [DirectoryReport] = []
        for path in paths {
            let found = try CheckpointTarget.locate(path, latestOnly: latestOnly)
            targets += found.targets
            directories += found.directories
        }
        return (targets, directories)
    }

    /// Lists each checkpoint whose structure is sound; a damaged one gets its errors on
    /// standard error instead (its entries cannot be trusted to describe anything), and the
    /// status is then 1.
    private func listCheckpoints(_ targets: [CheckpointTarget]) throws -> ToolStatus {
        var documents: [JSONValue] = []
        var status = ToolStatus.clean
        let verifier = Verifier.forReading(jobs: workers.jobs, structureOnly: true)
        for target in targets {
            let (bundle, report) = try target.open(verifier: verifier)
            guard report.ok else {
                for finding in report.findings where finding.severity == .error {
                    Terminal.diagnose(VerifyOutput.line(finding, defaultPath: target.prefix))
                }
                status = .findings
                continue
            }
            let summaries = bundle.summaries
            let state = keys && !json ? nil : try target.trainingState(of: bundle)
            if let state, json {
                documents.append(
                    ListingOutput.json(prefix: target.prefix, summaries: summaries, shardCount: bundle.header?.numShards, state: state))
            } else {
                Terminal.print(
                    ListingOutput.text(prefix: target.prefix, summaries: summaries, shardCount: bundle.header?.numShards, state: state))
            }
        }
        if json { Terminal.document(JSONValue.object([("checkpoints", .array(documents))]).serialized() + "\n") }
        return status
    }

    /// Prints the values of the variable `name` of the checkpoint the one path names (its newest,
    /// for a directory) once its structure and the tensor's checksum hold, and writes them as
    /// `--npy` asks; 1 when the checkpoint or the tensor is damaged.
    private func showVariable(_ name: String) throws -> ToolStatus {
        let target = try Self.locate(paths, latestOnly: true).0[0]
        let (bundle, report) = try target.open(verifier: .forReading(jobs: workers.jobs, structureOnly: true))
        guard report.ok else {
            for finding in report.findings where finding.severity == .error {
                Terminal.diagnose(VerifyOutput.line(finding, defaultPath: target.prefix))
            }
            return .findings
        }
        let state = try target.trainingState(of: bundle)
        let keys = bundle.variables.map(\.key)
        guard
            let key = keys.first(where: { CheckpointBundle.displayName($0) == name })
                ?? keys.first(where: { state.variables[String(decoding: $0, as: UTF8.self)]?.name == name })
        else {
            throw ToolError(.notFound, "\(target.prefix): no variable \(name) (ckptverify --list names them)")
        }
        let value: TensorValue
        switch try target.value(forKey: key, of: bundle) {
        case .success(let read): value = read
        case .failure(let error):
            Terminal.diagnose("ckptverify: \(target.prefix): \(error)")
            return .findings
        }
        let stored = CheckpointBundle.displayName(key)
        let named = state.variables[String(decoding: key, as: UTF8.self)]?.name ?? stored
        Terminal.print(
            ["\(named)\(named == stored ? "" : " (\(stored))"): \(value.dtype) \(value.shape)"] + TensorText.lines(value, everything: all))
        if let npy {
            let bytes: [UInt8]
            switch NumpyFile.bytes(of: value) {
            case .success(let written): bytes = written
            case .failure(let error): throw ToolError(.unsupported, "\(npy): \(stored) is not written: \(error)")
            }
            try OutputFile.write(
                bytes, to: npy, replacing: .forced(force, inputs: InputFiles.of(checkpoints: [target.prefix], directories: paths)))
        }
        return .clean
    }

    /// The verifier this run's options describe.
    private var verifier: Verifier {
        var verifier = Verifier()
        verifier.structureOnly = structureOnly
        verifier.jobs = workers.jobs
        return verifier
    }

    /// Verifies each checkpoint (printing each report as text unless `--json`); debris beside a
    /// checkpoint is reported by its directory's check when that ran. Returns each bundle it
    /// opened (nil when an index could not be read) with its report.
    private func verifyCheckpoints(
        _ targets: [CheckpointTarget], directories: [DirectoryReport], share: Share? = nil
    ) throws -> [(bundle: CheckpointBundle?, report: CheckpointReport)] {
        let covered = Set(directories.map { Path.directory(of: Path.join($0.path, "x")) })
        var reports: [(bundle: CheckpointBundle?, report: CheckpointReport)] = []
        for target in targets {
            var verifier = self.verifier
            verifier.share = share
            verifier.checkDebris = !covered.contains(Path.directory(of: target.prefix))
            let verified = try target.verify(
                with: verifier, showingProgress: !json && share == nil && !quiet && !structureOnly)
            if !json && share == nil { Terminal.print(VerifyOutput.text(verified.report, quiet: quiet)) }
            reports.append(verified)
        }
        return reports
    }

    /// Prints the reports as JSON when asked, writes JUnit when asked, and returns the status.
    private func report(_ reports: [CheckpointReport], directories directoryReports: [DirectoryReport]) throws -> ToolStatus {
        if json { Terminal.document(VerifyOutput.json(reports, directories: directoryReports).serialized() + "\n") }
        if let junit {
            try OutputFile.write(
                Array(JUnitReport.xml(checkpoints: reports, directories: directoryReports).utf8), to: junit,
                replacing: .forced(
                    force,
                    inputs: InputFiles.of(
                        checkpoints: reports.map(\.prefix), directories: directoryReports.map(\.path), files: merge ? paths : [])))
        }
        return reports.allSatisfy(\.ok) && directoryReports.allSatisfy(\.ok) ? .clean : .findings
    }

    private func printDirectories(_ reports: [DirectoryReport]) {
        for report in reports where !json { Terminal.print(VerifyOutput.text(report)) }
    }

    /// Checks one share of each checkpoint's data and prints the partial report; the status
    /// is 1 when the share's data or any checkpoint's structure has an error.
    private func verifyShare(_ share: Share, of targets: [CheckpointTarget]) throws -> ToolStatus {
        let verified = try verifyCheckpoints(targets, directories: [], share: share)
        var checkpoints: [PartialReport.Checkpoint] = []
        for (bundle, report) in verified {
            guard let bundle else { throw ToolError(.unsupported, report.damage ?? "\(report.prefix): the index cannot be read") }
            let digest = PartialReport.digest(of: bundle)
            checkpoints.append(
                PartialReport.Checkpoint(
                    prefix: report.prefix, indexDigest: digest, bytesChecked: report.bytesChecked, seconds: report.seconds,
                    failures: report.dataFailures))
        }
        let partial = PartialReport(share: share, paths: paths, latestOnly: latest, checkpoints: checkpoints)
        Terminal.document(partial.json.serialized() + "\n")
        return verified.allSatisfy { $0.report.ok } ? .clean : .findings
    }

    /// Combines one partial report per share into the report of one whole run: the structure
    /// and directories checked again here (cheap), the data failures taken from the shares.
    private func mergePartials() throws -> ToolStatus {
        var partials: [PartialReport.Read] = []
        for file in paths {
            let bytes = try MappedFile(path: file).withUnsafeBytes { Array($0) }
            let value: JSONValue
            do {
                value = try JSONValue(parsing: bytes)
            } catch {
                throw ToolError(.invalidRecord, "\(file): not a JSON document (\(error))")
            }
            partials.append((try PartialReport(json: value, file: file), file))
        }
        let merged = try PartialReport.merge(partials)
        let first = merged.first
        let (targets, directoryReports) = try Self.locate(first.paths, latestOnly: first.latestOnly)
        guard targets.map(\.prefix) == first.checkpoints.map(\.prefix) else {
            throw ToolError(
                .changed, "the checkpoints under \(first.paths.joined(separator: " ")) changed since the partial reports were written")
        }
        printDirectories(directoryReports)
        let covered = Set(directoryReports.map { Path.directory(of: Path.join($0.path, "x")) })
        var reports: [CheckpointReport] = []
        for (index, target) in targets.enumerated() {
            let (bundle, siblings) = try target.openUnchecked()
            let digest = PartialReport.digest(of: bundle)
            guard partials.allSatisfy({ $0.report.checkpoints[index].indexDigest == digest }) else {
                throw ToolError(
                    .changed, "\(BundleFiles.index(prefix: target.prefix)): changed since a partial report read it (its digest differs)")
            }
            var verifier = self.verifier
            verifier.checkDebris = !covered.contains(Path.directory(of: target.prefix))
            let share = merged.checkpoints[index]
            let report = verifier.assemble(
                bundle, failures: share.failures, bytesChecked: share.bytesChecked, seconds: share.seconds, siblings: siblings)
            if !json { Terminal.print(VerifyOutput.text(report, quiet: quiet)) }
            reports.append(report)
        }
        return try report(reports, directories: directoryReports)
    }
}
