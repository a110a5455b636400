import Checksums
import MappedIO
import TensorBundle

/// Checks a SavedModel as a whole, besides its variables bundle (which is verified as any
/// checkpoint is): the graph is there and well framed, and the fingerprint TensorFlow 2.12+
/// writes matches the variables index, so variables copied from another export are caught.
enum SavedModelCheck {
    static func run(_ model: SavedModel) -> DirectoryReport {
        var findings: [Finding] = []
        switch FileSystem.kind(of: model.graph) {
        case .regular:
            do {
                let bytes = try MappedFile(path: model.graph).withUnsafeBytes { Array($0) }
                if let problem = SavedModel.framingProblem(ofGraph: bytes) {
                    findings.append(Finding(.error, .savedModelBadGraph, "not a well-formed SavedModel: \(problem)", file: model.graph))
                }
            } catch {
                findings.append(Finding(.error, .savedModelBadGraph, error.cause, file: model.graph))
            }
        case .missing where FileSystem.exists(model.textGraph):
            break
        case .missing:
            findings.append(
                Finding(.error, .savedModelNoGraph, "missing: TensorFlow cannot load the SavedModel without it", file: model.graph))
        default:
            findings.append(Finding(.error, .savedModelBadGraph, "not a regular file", file: model.graph))
        }
        if FileSystem.exists(model.fingerprint) { findings += checkFingerprint(model) }
        return DirectoryReport(path: model.path, findings: findings, kind: .savedModel)
    }

    /// The fingerprint's `checkpoint_hash` against FarmHash Fingerprint64 of the variables index.
    private static func checkFingerprint(_ model: SavedModel) -> [Finding] {
        let recorded: UInt64?
        do {
            let bytes = try MappedFile(path: model.fingerprint).withUnsafeBytes { Array($0) }
            recorded = try SavedModel.checkpointHash(inFingerprint: bytes)
        } catch let error as ProtoError {
            return [Finding(.error, .savedModelBadFingerprint, "not a FingerprintDef: \(error)", file: model.fingerprint)]
        } catch {
            return [Finding(.error, .savedModelBadFingerprint, "\(error)", file: model.fingerprint)]
        }
        let index = BundleFiles.index(prefix: model.variablesPrefix)
        guard let recorded, recorded != 0, model.hasVariables else { return [] }
        let computed: UInt64
        do {
            computed = try MappedFile(path: index).withUnsafeBytes { FarmHash.fingerprint64($0) }
        } catch {
            return []  // the variables bundle's own verification reports an unreadable index
        }
        guard computed == recorded else {
            return [
                Finding(
                    .error, .savedModelFingerprintMismatch,
                    "records checkpoint_hash \(recorded), but \(index) has \(computed): the variables are not the ones this SavedModel was exported with",
                    file: model.fingerprint)
            ]
        }
        return [Finding(.info, .savedModelFingerprintMatch, "checkpoint_hash matches \(index)", file: model.fingerprint)]
    }
}
