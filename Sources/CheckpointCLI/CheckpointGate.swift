import TensorBundle
import Verification

/// Opens checkpoints for the tools that read them with the strictness of `ckptverify`: a
/// tool that reads damaged bytes as values would pass damage off as data.
enum CheckpointGate {
    /// Opens the checkpoint at `prefix` and checks it with `verifier` (the structure, and the
    /// tensors' checksums unless it is structure-only).
    ///
    /// - Throws: ``ToolError`` with the first error, naming the file and the tensor, when the
    ///   index cannot be read or the checkpoint fails verification.
    static func open(_ prefix: String, verifier: Verifier) throws(ToolError) -> (bundle: Bundle, report: CheckpointReport) {
        let bundle: Bundle
        do {
            bundle = try Bundle(prefix: prefix)
        } catch {
            throw ToolError(error.description)
        }
        return (bundle, verifier.verify(bundle))
    }
}
