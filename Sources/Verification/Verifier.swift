import Glibc
import MappedIO
import Parallelism
import TensorBundle

/// Checks checkpoints the way a CI job needs: every structural rule of the format, every
/// tensor's bytes against their checksums (as TensorFlow would on a full restore), what
/// TensorFlow never checks, and a diagnosis when an index and its data do not belong together.
public struct Verifier: Sendable {
    /// Skip reading tensor data (structure only).
    public var structureOnly = false
    /// Worker threads for the data pass.
    public var jobs = Parallelism.availableCores
    /// Bytes checksummed per work item (fixed-size tensors are split into pieces this size).
    public var chunkSize = 8 << 20
    /// Report `.tempstate` files next to each checkpoint (off when a directory check reports them).
    public var checkDebris = true
    /// Called from worker threads with the number of bytes each work item finished.
    public var progress: (@Sendable (Int64) -> Void)?

    public init() {}

    /// The verifier a tool runs on a checkpoint it is about to read: `jobs` workers, the data
    /// pass unless `structureOnly`, and no report of debris beside the checkpoint (the tool is
    /// not checking the directory).
    public static func forReading(jobs: Int, structureOnly: Bool = false) -> Verifier {
        var verifier = Verifier()
        verifier.jobs = jobs
        verifier.structureOnly = structureOnly
        verifier.checkDebris = false
        return verifier
    }

    /// Verifies the checkpoint at `prefix`. Never throws: an unreadable index is a finding.
    public func verify(prefix: String) -> CheckpointReport {
        let start = Self.now()
        let bundle: Bundle
        do {
            bundle = try Bundle(prefix: prefix)
        } catch {
            let finding = Finding(.error, "index.unreadable", error.file.cause, file: BundleFiles.index(prefix: prefix))
            return CheckpointReport(prefix: prefix, tensors: [], findings: [finding], bytesChecked: 0, seconds: Self.now() - start)
        }
        return verify(bundle, since: start)
    }

    /// Verifies an opened checkpoint, as ``verify(prefix:)`` does.
    public func verify(_ bundle: Bundle) -> CheckpointReport {
        verify(bundle, since: Self.now())
    }

    private func verify(_ bundle: Bundle, since start: Double) -> CheckpointReport {
        let prefix = bundle.prefix
        var structure = StructureCheck(bundle: bundle)
        var bytesChecked: Int64 = 0
        var diagnosis: Finding? = nil
        if !structureOnly {
            let errors = DataCheck.run(structure.parts, bundle: bundle, jobs: jobs, chunkSize: chunkSize, progress: progress)
            for (part, error) in zip(structure.parts, errors) {
                bytesChecked += part.entry.size
                if let error { structure.fail(part.variable, error.code.rawValue, error.cause, label: part.label) }
            }
            diagnosis = MixedSaveDiagnosis.run(bundle: bundle, parts: structure.parts, errors: errors)
        }
        var findings = structure.findings + ShardFileCheck.run(bundle: bundle, parts: structure.parts, checkDebris: checkDebris)
        if let diagnosis { findings.append(diagnosis) }
        let tensors = structure.summaries.enumerated().map { index, summary in
            CheckpointReport.TensorStatus(summary: summary, error: structure.variableErrors[index])
        }
        return CheckpointReport(prefix: prefix, tensors: tensors, findings: findings, bytesChecked: bytesChecked, seconds: Self.now() - start)
    }

    /// Checks the training directory at `path`: its state file and leftover debris.
    public func verify(directory path: String) -> DirectoryReport {
        DirectoryCheck.run(path: path)
    }

    /// The bytes of tensor data the checkpoint at `prefix` holds (for progress totals).
    public static func dataBytes(prefix: String) -> Int64 {
        guard let bundle = try? Bundle(prefix: prefix) else { return 0 }
        return bundle.records.reduce(0) { total, record in
            guard case .success(let entry) = record.entry, !entry.isPartitioned, entry.size > 0 else { return total }
            return total + entry.size
        }
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
