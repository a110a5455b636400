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
        func bad(_ what: String) -> ToolError { ToolError("\(file): not a ckptverify partial report (\(what))") }
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
                default: 0
                }
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
            guard let share = Share(parsing: text) else { throw ToolError("--part \(text): expected I/N with 0 <= I < N") }
            return share
        }
        guard let count = Int(text), count >= 1 else {
            throw ToolError("--part \(text): expected I/N, or N with the index from the scheduler")
        }
        let index: Int
        if let value = environment("JOB_COMPLETION_INDEX"), let parsed = Int(value) {
            index = parsed
        } else if let value = environment("SLURM_ARRAY_TASK_ID"), let parsed = Int(value) {
            index = parsed - (environment("SLURM_ARRAY_TASK_MIN").flatMap { Int($0) } ?? 0)
        } else {
            throw ToolError("--part \(text): neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set; give --part I/\(count)")
        }
        guard let share = Share(index: index, count: count) else {
            throw ToolError("--part \(text): the scheduler's index \(index) is not in 0..<\(count)")
        }
        return share
    }

    /// The process environment variable `name`.
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
