import BinaryCoding
import Checksums
import Glibc
import JSON
import TensorBundle
import Verification

/// What one `ckptverify --part I/N` run hands to `ckptverify --merge`: per checkpoint, the data
/// failures of its share, the bytes it checked, and a digest of the index it read (so a merge
/// refuses shares that read different indexes).
struct PartialReport {
    struct Checkpoint {
        let prefix: String
        let indexDigest: String
        let bytesChecked: Int64
        let seconds: Double
        let failures: [DataFailure]
    }

    static let format = "ckptverify-partial-1"

    let share: Share
    /// The paths the run was given (a merge checks their directories again).
    let paths: [String]
    let latestOnly: Bool
    let checkpoints: [Checkpoint]

    /// The digest recorded for `bundle`'s index.
    static func digest(of bundle: CheckpointBundle) -> String {
        bundle.indexFile.withUnsafeBytes { XXH3.hash128($0) }.description
    }

    var json: JSONValue {
        .object([
            ("format", .string(Self.format)),
            ("part", .int(Int64(share.index))),
            ("of", .int(Int64(share.count))),
            ("paths", .array(paths.map(JSONValue.string))),
            ("latest", .bool(latestOnly)),
            (
                "checkpoints",
                .array(
                    checkpoints.map { checkpoint in
                        .object([
                            ("prefix", .string(checkpoint.prefix)),
                            ("index_xxh3", .string(checkpoint.indexDigest)),
                            ("bytes_checked", .int(checkpoint.bytesChecked)),
                            ("seconds", .double(checkpoint.seconds)),
                            (
                                "data_failures",
                                .array(
                                    checkpoint.failures.map { failure in
                                        .object([
                                            ("part", .int(Int64(failure.part))), ("code", .string(failure.code.rawValue)),
                                            ("message", .string(failure.message)),
                                        ])
                                    })
                            ),
                        ])
                    })
            ),
        ])
    }

    /// Reads a partial report written by `--part`; `file` names it in errors.
    init(json value: JSONValue, file: String) throws(ToolError) {
        func bad(_ what: String) -> ToolError { ToolError(.invalidRecord, "\(file): not a ckptverify partial report (\(what))") }
        guard value["format"]?.string == Self.format else { throw bad("format") }
        guard let index = value["part"]?.integer, let count = value["of"]?.integer,
            let share = Share(index: Int(clamping: index), count: Int(clamping: count))
        else { throw bad("part/of") }
        guard let paths = value["paths"]?.elements?.compactMap(\.string), case .bool(let latest)? = value["latest"],
            let checkpoints = value["checkpoints"]?.elements
        else { throw bad("paths, latest, checkpoints") }
        var parsed: [Checkpoint] = []
        for checkpoint in checkpoints {
            guard let prefix = checkpoint["prefix"]?.string, let digest = checkpoint["index_xxh3"]?.string,
                let bytes = checkpoint["bytes_checked"]?.integer, bytes >= 0, let failures = checkpoint["data_failures"]?.elements
            else { throw bad("a checkpoint entry") }
            let seconds: Double =
                switch checkpoint["seconds"] {
                case .double(let value)?: value
                case .int(let value)?: Double(value)
                default: -1
                }
            guard seconds >= 0, seconds.isFinite else { throw bad("the seconds of \(prefix)") }
            var dataFailures: [DataFailure] = []
            for failure in failures {
                guard let part = failure["part"]?.integer, part >= 0, part < Int64(Int32.max),
                    let code = failure["code"]?.string, let message = failure["message"]?.string
                else { throw bad("a data failure") }
                dataFailures.append(DataFailure(part: Int(part), code: Finding.Code(rawValue: code), message: message))
            }
            parsed.append(Checkpoint(prefix: prefix, indexDigest: digest, bytesChecked: bytes, seconds: seconds, failures: dataFailures))
        }
        self.init(share: share, paths: paths, latestOnly: latest, checkpoints: parsed)
    }

    /// One share's report, with the file it was read from.
    typealias Read = (report: PartialReport, file: String)

    /// What one share each of 0..<N says of every checkpoint: its data failures, the bytes
    /// checked (in all shares) and the seconds of the slowest share.
    struct Merged {
        let first: PartialReport
        let checkpoints: [(failures: [DataFailure], bytesChecked: Int64, seconds: Double)]
    }

    /// Combines `reports`, which must be one share each of 0..<N of the same run (the same
    /// paths and checkpoints).
    ///
    /// - Throws: ``ToolError`` naming what does not fit: a share missing or given twice,
    ///   reports of different runs, sums that do not fit (naming the field).
    static func merge(_ reports: [Read]) throws(ToolError) -> Merged {
        guard let first = reports.first?.report else { throw ToolError(.usage, "--merge needs the partial reports") }
        let count = first.share.count
        let indices = reports.map(\.report.share.index).sorted()
        guard reports.allSatisfy({ $0.report.share.count == count }), indices == Array(0..<count) else {
            let missing = Set(0..<count).subtracting(indices).sorted().prefix(5).map { "\($0)/\(count)" }
            throw ToolError(
                .invalidRecord,
                "the partial reports are not one share each of 0..<\(count)"
                    + (missing.isEmpty
                        ? " (a share is given twice, or the counts differ)" : " (missing \(missing.joined(separator: ", ")))"))
        }
        let prefixes = first.checkpoints.map(\.prefix)
        guard reports.allSatisfy({ $0.report.checkpoints.map(\.prefix) == prefixes && $0.report.paths == first.paths }) else {
            throw ToolError(.invalidRecord, "the partial reports checked different checkpoints: run every share with the same paths")
        }
        var merged: [(failures: [DataFailure], bytesChecked: Int64, seconds: Double)] = []
        for (index, prefix) in prefixes.enumerated() {
            let shares = reports.map { $0.report.checkpoints[index] }
            guard let bytes = shares.checkedSum(of: \.bytesChecked) else {
                throw ToolError(
                    .invalidRecord,
                    "\(reports.map(\.file).joined(separator: ", ")): the bytes_checked of \(prefix) add up past \(Int64.max); not reports of one run"
                )
            }
            merged.append((shares.flatMap(\.failures), bytes, shares.map(\.seconds).max() ?? 0))
        }
        return Merged(first: first, checkpoints: merged)
    }

    init(share: Share, paths: [String], latestOnly: Bool, checkpoints: [Checkpoint]) {
        self.share = share
        self.paths = paths
        self.latestOnly = latestOnly
        self.checkpoints = checkpoints
    }

    /// The share a `--part` value names: `I/N`, or `N` with I taken from the scheduler —
    /// `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job) or `SLURM_ARRAY_TASK_ID` (less
    /// `SLURM_ARRAY_TASK_MIN`, so an array numbered from 1 works too).
    static func share(_ text: String, environment: (String) -> String?) throws(ToolError) -> Share {
        if text.contains("/") {
            guard let share = Share(parsing: text) else { throw ToolError(.usage, "--part \(text): expected I/N with 0 <= I < N") }
            return share
        }
        guard let count = Int(text), count >= 1 else {
            throw ToolError(.usage, "--part \(text): expected I/N, or N with the index from the scheduler")
        }
        let index: Int
        if let value = environment("JOB_COMPLETION_INDEX"), let parsed = Int(value) {
            index = parsed
        } else if let value = environment("SLURM_ARRAY_TASK_ID"), let parsed = Int(value) {
            index = parsed - (environment("SLURM_ARRAY_TASK_MIN").flatMap { Int($0) } ?? 0)
        } else {
            throw ToolError(.usage, "--part \(text): neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set; give --part I/\(count)")
        }
        guard let share = Share(index: index, count: count) else {
            throw ToolError(.usage, "--part \(text): the scheduler's index \(index) is not in 0..<\(count)")
        }
        return share
    }

    /// The process environment variable `name`.
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
