import BinaryCoding
import Parallelism
import TensorBundle

extension Verifier {
    /// Verifies a legacy V1 checkpoint as far as its format allows: every table (block
    /// checksums, structure), every meta, and every tensor decoded from its slices into exactly
    /// the values its shape holds. (V1 files carry no checksum per tensor.)
    public func verify(legacy checkpoint: LegacyCheckpoint) -> CheckpointReport {
        let start = Stopwatch()
        var findings = checkpoint.problems.map { problem in
            problem.tableFinding.map { table in
                Finding(
                    table.isWarning ? .warning : .error, Finding.Code(rawValue: table.code.rawValue), table.message, file: problem.file,
                    offset: table.offset)
            } ?? Finding(.error, .legacyBadMeta, problem.message, file: problem.file)
        }
        var tensors: [CheckpointReport.TensorStatus] = []
        var bytes: Int64 = 0
        for tensor in checkpoint.tensors {
            var size: Int64 = 0
            var failure: Finding? = nil
            if !structureOnly {
                do {
                    switch try checkpoint.value(of: tensor).contents {
                    case .fixed(let values): size = Int64(values.count)
                    case .strings(let values), .variants(let values): size = values.saturatingSum { Int64($0.count) }
                    }
                } catch {
                    let finding = Finding(.error, Finding.Code(rawValue: error.code.rawValue), error.cause, tensor: tensor.name)
                    findings.append(finding)
                    failure = finding
                }
            }
            bytes = bytes.saturatingAdding(size)
            tensors.append(CheckpointReport.TensorStatus(summary: tensor.summary(size: size), error: failure))
        }
        return CheckpointReport(
            prefix: checkpoint.prefix, tensors: tensors, findings: findings, bytesChecked: bytes, seconds: start.seconds)
    }
}
