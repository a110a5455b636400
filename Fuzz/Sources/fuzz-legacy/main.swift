import FuzzSupport
import MappedIO
import TensorBundle
import Verification

@testable import CheckpointCLI

// A legacy V1 checkpoint (one table per save, values inline in TensorProtos): reading any bytes
// as one, verifying it (every tensor decoded from its slices), printing each value as --show
// does, and the V2 copy ckptdiff reads it through.
FuzzWorkspace.run(seeds: {
    try FuzzWorkspace.files(under: FuzzWorkspace.fixtures) { name in
        name.hasPrefix("model.ckpt-") && [".index", ".meta"].allSatisfy { !name.hasSuffix($0) } && !name.contains(".data-")
    }.compactMap { path in
        LegacyCheckpoint.files(prefix: path).isEmpty ? nil : try FuzzWorkspace.read(path)
    }
}) { input in
    let prefix = Path.join(FuzzWorkspace.scratch, "model.ckpt-1")
    FuzzWorkspace.write(input, to: prefix)
    guard let checkpoint = try? LegacyCheckpoint(prefix: prefix) else { return }
    let report = Verifier().verify(legacy: checkpoint)
    precondition(report.tensors.count == checkpoint.tensors.count, "a tensor the report does not account for")
    for tensor in checkpoint.tensors {
        guard let value = try? checkpoint.value(of: tensor) else { continue }
        precondition(value.shape == tensor.shape, "a value of another shape than its tensor's")
        _ = TensorText.lines(value, everything: false)
    }
    let copy = Path.join(FuzzWorkspace.scratch, "copy")
    if let bundle = try? checkpoint.writeBundle(to: copy) {
        precondition(bundle.summaries.count == checkpoint.tensors.count, "the V2 copy lost a tensor")
    }
    try? FileSystem.remove(BundleFiles.index(prefix: copy))
    try? FileSystem.remove(BundleFiles.data(prefix: copy, shard: 0, of: 1))
}
