import Glibc
import MappedIO
import SSTable
import TensorBundle

/// Checks a checkpoint: the structure of its index and every tensor's bytes against their
/// checksums, as TensorFlow would on a full restore, reporting everything it finds.
public struct Verifier: Sendable {
    /// Skip reading tensor data (structure only).
    public var structureOnly = false

    public init() {}

    /// Verifies the checkpoint at `prefix`. Never throws: an unreadable index is a finding.
    public func verify(prefix: String) -> CheckpointReport {
        let start = Self.now()
        let indexPath = BundleFiles.index(prefix: prefix)
        let bundle: Bundle
        do {
            bundle = try Bundle(prefix: prefix)
        } catch {
            let finding = Finding(.error, "index.unreadable", error.file.cause, file: indexPath)
            return CheckpointReport(prefix: prefix, tensors: [], findings: [finding], bytesChecked: 0, seconds: Self.now() - start)
        }
        var findings = bundle.tableFindings.map { finding in
            Finding(finding.isWarning ? .warning : .error, finding.code.rawValue, finding.message, file: indexPath, offset: finding.offset)
        }
        if let problem = bundle.headerProblem {
            findings.append(Finding(.error, "header.bad", problem, file: indexPath))
        }
        for record in bundle.records {
            switch record.entry {
            case .failure(let error):
                findings.append(Finding(.error, "entry.unparseable", "entry does not parse: \(error)", tensor: record.name, file: indexPath, offset: record.offset))
            case .success(let entry):
                for issue in entry.issues {
                    findings.append(Finding(.warning, issue.code.rawValue, issue.message, tensor: record.name, file: indexPath, offset: record.offset))
                }
            }
        }
        var tensors: [CheckpointReport.TensorStatus] = []
        var bytesChecked: Int64 = 0
        for summary in bundle.summaries {
            var failure: Finding? = nil
            do {
                if structureOnly {
                    try Bundle.validate(try bundle.entry(forKey: summary.key), key: summary.key)
                } else {
                    _ = try bundle.value(forKey: summary.key)
                    bytesChecked += summary.size
                }
            } catch {
                failure = Finding(.error, error.code.rawValue, error.cause, tensor: summary.name)
                findings.append(failure!)
            }
            tensors.append(CheckpointReport.TensorStatus(summary: summary, error: failure))
        }
        return CheckpointReport(prefix: prefix, tensors: tensors, findings: findings, bytesChecked: bytesChecked, seconds: Self.now() - start)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
