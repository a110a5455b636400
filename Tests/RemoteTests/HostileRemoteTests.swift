import FixtureSupport
import Foundation
import ObjectStore
import Testing

/// The hand-edited indexes of `HostileIndexTests` (extreme sizes, offsets, counts, shard
/// numbers), read from a bucket: `ckptverify` and `--part` end as they do locally (exit 1, no
/// trap, no hang) and say the same first error.
@Suite("Hostile checkpoints in buckets", .needsServers)
struct HostileRemoteTests {
    @Test(arguments: HostileCheckpoint.cases, ["SeaweedFS", "fake-gcs-server"])
    func extremeRecordValuesFromABucket(_ hostile: HostileCheckpoint.Case, server: String) async throws {
        let store = try TestStore.named(server)
        let directory = TemporaryDirectory()
        let copy = directory.path("copy")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        let damaged = try HostileCheckpoint.make(from: Fixtures.path(hostile.source), in: copy, edit: hostile.edit)
        let prefix = store.freshPrefix("hostile")
        try await store.upload(directory: copy, to: prefix)
        let remote = prefix.description + URL(fileURLWithPath: damaged).lastPathComponent
        let local = try ToolRunner.run("ckptverify", ["--quiet", damaged], timeLimit: 60)
        for arguments in [["--quiet", remote], ["--part", "1/3", remote], ["--list", remote]] {
            let result = try ToolRunner.run("ckptverify", arguments, timeLimit: 60, environment: store.environment)
            #expect(result.signal == nil && !result.timedOut, "\(arguments): \(result.standardError)")
            #expect([1, 2].contains(result.status), "\(arguments): \(result.status) \(result.standardError)")
        }
        let verified = try ToolRunner.run("ckptverify", ["--quiet", remote], timeLimit: 60, environment: store.environment)
        #expect(verified.status == local.status)
        // A missing data file is "No such object" in a store, "No such file or directory" on a disk.
        let firstLine = { (text: String, root: String) in
            text.split(separator: "\n").first.map {
                $0.replacingOccurrences(of: root, with: "ROOT").replacingOccurrences(
                    of: "No such file or directory", with: "No such object")
            }
        }
        #expect(firstLine(verified.standardOutput, prefix.description) == firstLine(local.standardOutput, copy + "/"), "\(hostile)")
    }
}
