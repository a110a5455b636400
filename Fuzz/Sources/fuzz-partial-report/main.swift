import FuzzSupport
import JSON
import MappedIO
import TensorBundle
import Verification

@testable import CheckpointCLI

// `ckptverify --part` reports, as `--merge` reads them: the input is share 0 of 2 of a real
// checkpoint, merged with the real share 1 and assembled into the report of one run, which is
// then printed as text, JSON and JUnit (sums past Int64, odd codes and messages, parts out of
// range must end in a refusal or a report, never a trap).
let prefix = Path.join(FuzzWorkspace.fixtures, "sharded_tf2/ckpt-1")
let bundle = try CheckpointBundle(prefix: prefix)

/// The partial report of share `index` of 2, as `ckptverify --part index/2 prefix` writes it.
func partial(_ index: Int) -> PartialReport {
    var verifier = Verifier.forReading(jobs: 1)
    verifier.share = Share(index: index, count: 2)
    let report = verifier.verify(bundle)
    let checkpoint = PartialReport.Checkpoint(
        prefix: prefix, indexDigest: PartialReport.digest(of: bundle), bytesChecked: report.bytesChecked, seconds: report.seconds,
        failures: report.dataFailures)
    return PartialReport(share: Share(index: index, count: 2)!, paths: [prefix], latestOnly: false, checkpoints: [checkpoint])
}
let second = partial(1)

FuzzWorkspace.run(seeds: { [Array(partial(0).json.serialized().utf8)] }) { input in
    guard let value = try? JSONValue(parsing: input), let report = try? PartialReport(json: value, file: "part-0.json"),
        let merged = try? PartialReport.merge([(report, "part-0.json"), (second, "part-1.json")])
    else { return }
    _ = report.json.serialized()
    for share in merged.checkpoints {
        let assembled = Verifier().assemble(
            bundle, failures: share.failures, bytesChecked: share.bytesChecked, seconds: share.seconds, siblings: [])
        _ = VerifyOutput.text(assembled, quiet: false)
        _ = VerifyOutput.json([assembled], directories: []).serialized()
        _ = JUnitReport.xml(checkpoints: [assembled], directories: [])
    }
}
