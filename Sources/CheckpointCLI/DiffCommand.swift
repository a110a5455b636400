import ArgumentParser
import Diffing
import MappedIO
import Parallelism
import TensorBundle
import TrainingState
import Verification

/// `ckptdiff`: what changed between two checkpoints, variable by variable.
public struct DiffCommand: StatusCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ckptdiff",
        abstract: "Compare two TensorFlow checkpoints variable by variable, numerically.",
        discussion: """
            A and B are checkpoint prefixes, .index files, or directories (their newest checkpoint; \
            DIR@STEP picks the checkpoint of that step), local or s3:// (copied to a staging directory \
            under $TMPDIR first).
            Exit status: 0 when every variable is identical (or within --atol/--rtol, numpy allclose \
            semantics, when either is given), 1 when anything differs, 2 on trouble.
            """,
        version: ToolVersion.current)

    @Argument(help: "The earlier checkpoint.")
    var a: String

    @Argument(help: "The later checkpoint.")
    var b: String

    @Option(help: "Absolute tolerance: elements with |b - a| <= atol + rtol * |b| count as equal (numpy default 1e-8).")
    var atol: Double?

    @Option(help: "Relative tolerance (numpy default 1e-5).")
    var rtol: Double?

    @Flag(help: "Write one JSON document to standard output.")
    var json = false

    @Flag(help: "Write CSV (one row per variable) to standard output.")
    var csv = false

    @Flag(help: "Also list identical variables.")
    var all = false

    @Option(
        help: ArgumentHelp(
            "Also write the diff as one self-contained HTML page (a chart per layer, a sortable table) to this file (a new file unless --force).",
            valueName: "file"))
    var html: String?

    @Flag(help: "With --html: replace an existing regular file (never a link, a special file or a file this run reads).")
    var force = false

    @Option(help: ArgumentHelp("Only variables whose name or key matches this regular expression (repeatable).", valueName: "regex"))
    var include: [String] = []

    @Option(help: ArgumentHelp("Leave out variables whose name or key matches this regular expression (repeatable).", valueName: "regex"))
    var exclude: [String] = []

    @Flag(help: "Call variables by their stored keys (default: by the names the object graph or TF1 conventions give).")
    var keys = false

    @Flag(help: "Leave out optimizer state: slots (momentum, m, v, …), step counts, learning rates.")
    var noOptimizer = false

    @Flag(help: "Compare only optimizer state.")
    var optimizerOnly = false

    @OptionGroup var workers: WorkerOptions

    public init() {}

    public func validate() throws {
        for (name, value) in [("--atol", atol), ("--rtol", rtol)] {
            if let value, !(value.isFinite && value >= 0) {
                throw ValidationError("\(name) must be a finite number at least 0, not \(value)")
            }
        }
        guard !(json && csv) else { throw ValidationError("--json and --csv exclude each other") }
        guard !(noOptimizer && optimizerOnly) else { throw ValidationError("--no-optimizer and --optimizer-only exclude each other") }
        guard !force || html != nil else { throw ValidationError("--force applies to the --html file only") }
        for pattern in include + exclude {
            do {
                _ = try Regex(pattern)
            } catch {
                throw ValidationError("bad regular expression '\(pattern)': \(error)")
            }
        }
    }

    public func execute() throws -> ToolStatus {
        // Refused before the work rather than after it; checked again, inputs known, when written.
        if let html { try OutputPath.check(html, force: force) }
        let (bundleA, nameA) = try open(a)
        let (bundleB, nameB) = try open(b)
        var differ = CheckpointDiffer()
        differ.jobs = workers.jobs
        if atol != nil || rtol != nil {
            differ.tolerance = CheckpointDiffer.Tolerance(absolute: atol ?? 1e-8, relative: rtol ?? 1e-5)
        }
        // Names and roles from B's training state, A's for what B no longer holds.
        var trained: [String: TrainedVariable] = [:]
        for state in [TrainingState(bundle: bundleA), TrainingState(bundle: bundleB)] {
            for (key, variable) in state.variables { trained[key] = variable }
        }
        let filter = NameFilter(include: include, exclude: exclude)
        let roles = RoleFilter(noOptimizer: noOptimizer, optimizerOnly: optimizerOnly)
        differ.selects = { [trained] key in
            filter.matches([key] + [trained[key]?.name].compactMap { $0 }) && roles.matches(trained[key]?.role)
        }
        let report: DiffReport
        do {
            let compared = try differ.compare(bundleA, bundleB).named(a: nameA, b: nameB)
            report = keys ? compared : compared.renamed(trained.mapValues(\.name))
        } catch {
            throw ToolError(error.cause)
        }
        let layers = LayerChange.of(report, trained: trained)
        if let html {
            do {
                let histograms = DiffPage.histogramCandidates(report, trained: trained).compactMap { variable in
                    DifferenceHistogram.make(key: variable.summary.key, a: bundleA, b: bundleB, limit: variable.statistics?.maxAbsDiff ?? 0)
                        .map { (name: DiffPage.caption(variable, trained: trained), histogram: $0) }
                }
                let page = DiffPage.html(report, layers: layers, trained: trained, histograms: histograms)
                let inputs = InputFiles.of(checkpoints: [bundleA.prefix, bundleB.prefix], directories: [a, b])
                try OutputFile.write(Array(page.utf8), to: html, replacing: .forced(force, inputs: inputs))
            } catch {
                throw ToolError(error.description)
            }
        }
        if json {
            Terminal.document(DiffOutput.json(report, layers: layers).serialized() + "\n")
        } else if csv {
            Terminal.document(DiffOutput.csv(report))
        } else {
            Terminal.print(DiffOutput.text(report, all: all, layers: layers))
        }
        let same = differ.tolerance == nil ? report.identical : report.withinTolerance
        return same ? .clean : .findings
    }

    /// Opens the checkpoint `path` names after verifying it: every tensor the diff reads must
    /// match its checksum, or damage would be reported as a numeric change.
    private func open(_ path: String) throws(ToolError) -> (bundle: CheckpointBundle, name: String) {
        // A remote checkpoint is copied locally first; its files stay mapped once the copy is removed.
        // Diagnostics name it by its URL (Terminal relocates staging paths); so does the report.
        let staged = try StagedCheckpoint(path)
        let (bundle, report) = try staged.target.open(verifier: .forReading(jobs: workers.jobs))
        if let damage = report.damage { throw ToolError("\(damage); not compared (damaged checkpoint)") }
        return (bundle, StagingDirectory.relocated(staged.target.prefix))
    }
}

/// `--include`/`--exclude` regular expressions over a variable's names (its key and the name a
/// person gave it), validated beforehand: included when any name matches an include, left out
/// when any name matches an exclude.
struct NameFilter: Sendable {
    let include: [String]
    let exclude: [String]

    func matches(_ names: [String]) -> Bool {
        let included = include.isEmpty || include.contains { pattern in names.contains { $0.contains(try! Regex(pattern)) } }
        return included && !exclude.contains { pattern in names.contains { $0.contains(try! Regex(pattern)) } }
    }
}

/// `--no-optimizer`/`--optimizer-only`: optimizer state is slots and non-slot optimizer variables.
struct RoleFilter: Sendable {
    let noOptimizer: Bool
    let optimizerOnly: Bool

    func matches(_ role: TrainedVariable.Role?) -> Bool {
        let optimizer: Bool =
            switch role {
            case .slot?, .optimizerState?: true
            default: false
            }
        return noOptimizer ? !optimizer : optimizerOnly ? optimizer : true
    }
}
