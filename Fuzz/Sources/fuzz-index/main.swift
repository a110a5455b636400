import Diffing
import FuzzSupport
import MappedIO
import TensorBundle
import Verification

// `.index` files: the SSTable reader, the header and entry protos, slice keys, shapes and the
// data pass over a fixed data file, as `ckptverify` runs them, and the sequential data pass of
// `ckptdelta create` (which must find the same failures); then the value reader and (for an
// index that verifies) the differ, as `ckptdiff` runs them.
let prefix = Path.join(FuzzWorkspace.scratch, "fuzz")
// The data file of a real checkpoint, so that its index as a seed verifies clean.
let data = try FuzzWorkspace.read(Path.join(FuzzWorkspace.fixtures, "tf2_keras_adam/ckpt-1.data-00000-of-00001"))
FuzzWorkspace.write(data, to: BundleFiles.data(prefix: prefix, shard: 0, of: 1))

/// The data files read front to back, as `ckptdelta create` reads its inputs.
struct FileSource: DataFileSource {
    func read(_ path: String, into consume: (UnsafeRawBufferPointer) -> Void) throws(FileError) {
        try SequentialReader.forEachPiece(of: path, consume)
    }
}

FuzzWorkspace.run(seeds: {
    try FuzzWorkspace.files(under: FuzzWorkspace.fixtures) { $0.hasSuffix(".index") }.map(FuzzWorkspace.read)
}) { input in
    FuzzWorkspace.write(input, to: BundleFiles.index(prefix: prefix))
    var verifier = Verifier()
    verifier.jobs = 1
    let report = verifier.verify(prefix: prefix)
    guard let bundle = try? CheckpointBundle(prefix: prefix) else { return }
    // The sequential data pass finds what the mapped one found.
    if let sequential = try? verifier.verify(bundle, source: FileSource()) {
        precondition(sequential.dataFailures == report.dataFailures, "the sequential and mapped data passes disagree")
    }
    _ = bundle.summaries
    for record in bundle.variables { _ = try? bundle.value(forKey: record.key) }
    if report.ok {
        var differ = CheckpointDiffer()
        differ.jobs = 1
        _ = try? differ.compare(bundle, bundle)
    }
}
