import FixtureSupport
import Foundation
import TensorBundle
import Testing

/// Interoperability with real TensorFlow on fresh checkpoints: what TensorFlow writes we read
/// identically (and rewrite byte for byte); what we write TensorFlow reads identically.
@Suite(.serialized) struct InteropTests {
    @Test func freshTensorFlowCheckpointsReadAndRewriteIdentically() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path])
        let manifest = Fixtures.loadManifest(root: directory.path)
        let checkpoints = manifest.values.flatMap { $0 }
        #expect(checkpoints.count >= 14)
        for checkpoint in checkpoints {
            let bundle = try Bundle(prefix: directory.path(checkpoint.prefix))
            #expect(bundle.tableFindings.isEmpty, "\(checkpoint.prefix)")
            #expect(try BundleComparison.view(bundle) == checkpoint.variables, "\(checkpoint.prefix)")
            let copy = directory.path("rewritten-\(checkpoint.prefix.replacingOccurrences(of: "/", with: "_"))")
            try BundleComparison.rewrite(bundle, to: copy)
            let shards = bundle.header!.numShards
            for (ours, theirs) in zip(
                BundleComparison.files(prefix: copy, shardCount: shards),
                BundleComparison.files(prefix: bundle.prefix, shardCount: shards)
            ) {
                #expect(TestFiles.read(ours) == TestFiles.read(theirs), "\(theirs)")
            }
        }
    }

    @Test func tensorFlowReadsWhatWeWrite() throws {
        let directory = TemporaryDirectory()
        let written = try OurBundles.write(in: directory)
        let seen = try TensorFlowPython.describe(written.map(\.prefix))
        #expect(seen.count == written.count)
        for (ours, theirs) in zip(written, seen) {
            #expect(theirs.variables == ours.variables, "\(ours.prefix)")
        }
    }
}
