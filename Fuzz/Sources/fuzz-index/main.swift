import Diffing
import FuzzSupport
import MappedIO
import TensorBundle
import Verification

// `.index` files: the SSTable reader, the header and entry protos, slice keys, shapes and the
// data pass over a fixed data file, as `ckptverify` runs them; then the value reader and (for an
// index that verifies) the differ, as `ckptdiff` runs them.
let prefix = Path.join(FuzzWorkspace.scratch, "fuzz")
// The data file of a real checkpoint, so that its index as a seed verifies clean.
let data = try FuzzWorkspace.read(Path.join(FuzzWorkspace.fixtures, "tf2_keras_adam/ckpt-1.data-00000-of-00001"))
FuzzWorkspace.write(data, to: BundleFiles.data(prefix: prefix, shard: 0, of: 1))

FuzzWorkspace.run(seeds: {
    try FuzzWorkspace.files(under: FuzzWorkspace.fixtures) { $0.hasSuffix(".index") }.map(FuzzWorkspace.read)
}) { input in
    FuzzWorkspace.write(input, to: BundleFiles.index(prefix: prefix))
    var verifier = Verifier()
    verifier.jobs = 1
    let report = verifier.verify(prefix: prefix)
    guard let bundle = try? CheckpointBundle(prefix: prefix) else { return }
    _ = bundle.summaries
    for record in bundle.variables { _ = try? bundle.value(forKey: record.key) }
    if report.ok {
        var differ = CheckpointDiffer()
        differ.jobs = 1
        _ = try? differ.compare(bundle, bundle)
    }
}
