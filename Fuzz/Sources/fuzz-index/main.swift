import Diffing
import FuzzSupport
import MappedIO
import TensorBundle
import TrainingState
import Verification

@testable import CheckpointCLI
@testable import Delta

// `.index` files: the SSTable reader, the header and entry protos, slice keys, shapes and the
// data pass over a fixed data file, as `ckptverify` runs them, and the sequential data pass of
// `ckptdelta create` (which must find the same failures); then the value reader and (for an
// index that verifies) the differ, as `ckptdiff` runs them; and what the tools print of each:
// the report (text, JSON, JUnit), the listing, the diff (text, JSON, CSV, HTML).
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
    _ = VerifyOutput.text(report, quiet: false)
    _ = VerifyOutput.json([report], directories: []).serialized()
    _ = JUnitReport.xml(checkpoints: [report], directories: [])
    guard let bundle = try? CheckpointBundle(prefix: prefix) else { return }
    let state = TrainingState(bundle: bundle)
    _ = ListingOutput.text(prefix: prefix, summaries: bundle.summaries, shardCount: bundle.header?.numShards, state: state)
    _ = ListingOutput.json(prefix: prefix, summaries: bundle.summaries, shardCount: bundle.header?.numShards, state: state).serialized()
    // The front-to-back data pass of `ckptdelta create` finds what the verifier's own found.
    if let sequential = try? verifier.verify(bundle, source: HashingSource()) {
        precondition(sequential.dataFailures == report.dataFailures, "the sequential and mapped data passes disagree")
    }
    _ = bundle.summaries
    for record in bundle.variables { _ = try? bundle.value(forKey: record.key) }
    if report.ok {
        var differ = CheckpointDiffer()
        differ.jobs = 1
        if let diff = try? differ.compare(bundle, bundle, pairs: DiffCommand.pairs(bundle, bundle, byKey: false)) {
            let layers = LayerChange.of(diff)
            _ = DiffOutput.text(diff, all: true, layers: layers)
            _ = DiffOutput.json(diff, layers: layers).serialized()
            _ = DiffOutput.csv(diff)
            _ = DiffPage.html(diff, layers: layers, histograms: [])
        }
    }
}
