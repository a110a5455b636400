import ArgumentParser
import BinaryCoding
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
    }

    public func execute() throws -> ToolStatus {
        // Refused before the work rather than after it; checked again, inputs known, when written.
        if let html { try OutputPath.check(html, force: force) }
        let filter = try NameFilter(include: include, exclude: exclude)
        let (bundleA, nameA) = try open(a)
        let (bundleB, nameB) = try open(b)
        var differ = CheckpointDiffer()
        differ.jobs = workers.jobs
        if atol != nil || rtol != nil {
            differ.tolerance = CheckpointDiffer.Tolerance(absolute: atol ?? 1e-8, relative: rtol ?? 1e-5)
        }
        let pairs = try select(Self.pairs(bundleA, bundleB, byKey: keys), filter: filter)
        let report = try ProgressMeter.showing("comparing", if: !json && !csv) { (progress) throws in
            differ.progress = progress
            return try differ.compare(bundleA, bundleB, pairs: pairs).named(a: nameA, b: nameB)
        }
        let layers = LayerChange.of(report)
        if let html {
            let histograms = DiffPage.histogramCandidates(report).compactMap { variable in
                DifferenceHistogram.make(
                    aKey: variable.aKey ?? variable.summary.key, bKey: variable.summary.key, a: bundleA, b: bundleB,
                    limit: variable.statistics?.maxAbsDiff ?? 0
                ).map { (name: variable.name, histogram: $0) }
            }
            let page = DiffPage.html(report, layers: layers, histograms: histograms)
            let inputs = InputFiles.of(checkpoints: [bundleA.prefix, bundleB.prefix], directories: [a, b])
            try OutputFile.write(Array(page.utf8), to: html, replacing: .forced(force, inputs: inputs))
        }
        if json {
            Terminal.document(DiffOutput.json(report, layers: layers).serialized() + "\n")
        } else if csv {
            Terminal.document(DiffOutput.csv(report))
        } else {
            Terminal.print(DiffOutput.text(report, all: all, layers: layers))
        }
        return report.withinTolerance ? .clean : .findings
    }

    /// The variables of A and B paired by the names their training states give them (each name
    /// once), or with `byKey` by stored key; each with its role and layer, B's where both say.
    static func pairs(_ a: CheckpointBundle, _ b: CheckpointBundle, byKey: Bool) -> [VariablePair] {
        let states = (TrainingState(bundle: a), TrainingState(bundle: b))
        return VariablePair.byName(a, b) { inB, key in
            let trained = (inB ? states.1 : states.0).variables[String(decoding: key, as: UTF8.self)]
            let role: VariablePair.Role =
                switch trained?.role {
                case .weight?, nil: .weight
                case .slot?, .optimizerState?: .optimizer
                case .bookkeeping?: .bookkeeping
                }
            return (byKey ? CheckpointBundle.displayName(key) : trained?.name ?? CheckpointBundle.displayName(key), role, trained?.layer)
        }
    }

    /// The pairs `--include`, `--exclude`, `--no-optimizer` and `--optimizer-only` keep.
    ///
    /// - Throws: ``ToolError`` when a pattern matches no variable (a CI gate filtering on a
    ///   misspelled name would pass whatever the checkpoints hold).
    private func select(_ pairs: [VariablePair], filter: NameFilter) throws(ToolError) -> [VariablePair] {
        let names = pairs.map { pair in
            [pair.name] + [pair.a, pair.b].compactMap { $0.map(CheckpointBundle.displayName) }
        }
        if let unmatched = filter.unmatched(in: names) {
            throw ToolError(.notFound, "the pattern \(KeyText.escape(Array(unmatched.utf8))) matches no variable of \(a) or \(b)")
        }
        return zip(pairs, names).filter { pair, names in
            filter.matches(names) && (noOptimizer ? pair.role != .optimizer : optimizerOnly ? pair.role == .optimizer : true)
        }.map(\.0)
    }

    /// Opens the checkpoint `path` names after verifying it: every tensor the diff reads must
    /// match its checksum, or damage would be reported as a numeric change.
    private func open(_ path: String) throws -> (bundle: CheckpointBundle, name: String) {
        // A remote checkpoint is copied locally first; its files stay mapped once the copy is removed.
        // Diagnostics name it by its URL (Terminal relocates staging paths); so does the report.
        let staged = try StagedCheckpoint(path)
        let label = "verifying \(Path.fileName(of: staged.target.prefix))"
        let (bundle, report) = try ProgressMeter.showing(label, if: !json && !csv) { progress in
            var verifier = Verifier.forReading(jobs: workers.jobs)
            verifier.progress = progress
            return try staged.target.open(verifier: verifier)
        }
        if let damage = report.damage { throw ToolError(.unsupported, "\(damage); not compared (damaged checkpoint)") }
        return (bundle, ScratchDirectory.originalPaths(in: staged.target.prefix))
    }
}

/// `--include`/`--exclude` regular expressions over a variable's names (its key and the name a
/// person gave it), compiled once: included when any name matches an include, left out when
/// any name matches an exclude.
struct NameFilter {
    private let include: [(pattern: String, regex: Regex<AnyRegexOutput>)]
    private let exclude: [(pattern: String, regex: Regex<AnyRegexOutput>)]

    /// - Throws: ``ToolError`` naming a pattern that is not a regular expression.
    init(include: [String], exclude: [String]) throws(ToolError) {
        func compiled(_ patterns: [String]) throws(ToolError) -> [(String, Regex<AnyRegexOutput>)] {
            var result: [(String, Regex<AnyRegexOutput>)] = []
            for pattern in patterns {
                do {
                    result.append((pattern, try Regex(pattern)))
                } catch {
                    throw ToolError(.usage, "bad regular expression \(KeyText.escape(Array(pattern.utf8))): \(error)")
                }
            }
            return result
        }
        self.include = try compiled(include)
        self.exclude = try compiled(exclude)
    }

    func matches(_ names: [String]) -> Bool {
        let included = include.isEmpty || include.contains { entry in names.contains { $0.contains(entry.regex) } }
        return included && !exclude.contains { entry in names.contains { $0.contains(entry.regex) } }
    }

    /// The first pattern that matches none of `variables` (each given by its names).
    func unmatched(in variables: [[String]]) -> String? {
        (include + exclude).first { entry in !variables.contains { names in names.contains { $0.contains(entry.regex) } } }?.pattern
    }
}
