// Object storage, against SeaweedFS and fake-gcs-server on loopback (started here with
// ../scripts/s3-servers):
//
//   1. remote `ckptverify s3://…` against the raw parallel download of the same objects to
//      nowhere (the same client, ranges and concurrency, no checksums: the transport's ceiling),
//      and against `aws s3 cp --recursive` followed by a local `ckptverify`;
//   2. `ckptdelta archive RUN s3://…` against a local archive followed by `aws s3 sync`;
//   3. remote `ckptverify gs://…` against the raw parallel download from the emulator.
//
// Times are medians of interleaved runs; peak RSS is each process's own.
//
//     cd Benchmarks && swift run -c release objectstore [SCRATCH_DIR]

import BenchmarkSupport
import Foundation
import ObjectStore

let rounds = 3
let ckptverify = try Workspace.tool("ckptverify")
let ckptdelta = try Workspace.tool("ckptdelta")
let run = Workspace.scratch + "/s3-run"
try SyntheticCheckpoint.ensure(prefix: run + "/ckpt-1", sizes: SyntheticCheckpoint.uniform)
try SyntheticCheckpoint.ensure(prefix: run + "/ckpt-2", sizes: SyntheticCheckpoint.uniform, step: 1)
let checkpointBytes = try FileManager.default.contentsOfDirectory(atPath: run)
    .filter { $0.hasPrefix("ckpt-1.") }.reduce(0) { $0 + Workspace.size(run + "/" + $1) }

// The servers, and the environment every child process inherits.
let servers = try Workspace.freshDirectory("s3-servers")
let exports = Workspace.scratch + "/s3-servers.env"
_ = try Spawn.run([Workspace.root + "/scripts/s3-servers", "start", servers], output: exports)
defer { _ = try? Spawn.run([Workspace.root + "/scripts/s3-servers", "stop", servers]) }
var environment: [String: String] = [:]
for line in try String(contentsOfFile: exports, encoding: .utf8).split(separator: "\n") {
    for assignment in line.dropFirst("export ".count).split(separator: " ") {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { environment[parts[0]] = parts[1] }
    }
}
for (name, value) in [
    ("AWS_ENDPOINT_URL", environment["CKPT_TEST_SEAWEEDFS"]!), ("AWS_ACCESS_KEY_ID", environment["CKPT_TEST_ACCESS_KEY"]!),
    ("AWS_SECRET_ACCESS_KEY", environment["CKPT_TEST_SECRET_KEY"]!), ("AWS_REGION", "us-east-1"), ("AWS_EC2_METADATA_DISABLED", "true"),
    ("STORAGE_EMULATOR_HOST", environment["CKPT_TEST_FAKE_GCS"]!),
] { setenv(name, value, 1) }

// The checkpoint in the bucket.
_ = try Spawn.shell("aws s3 sync --quiet '\(run)' s3://ckpt-test/bench/run/ --exclude '*' --include 'ckpt-1.*'")

// … and in the emulator's.
do {
    let client = try GCSClient()
    for name in try FileManager.default.contentsOfDirectory(atPath: run) where name.hasPrefix("ckpt-1.") {
        try await client.upload(file: run + "/" + name, to: ObjectLocation(url: "gs://ckpt-test/bench/run/" + name)!)
    }
    await client.shutdown()
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// The raw download: every object of the checkpoint in the folder `url` (`s3://…/run/`) in the
/// same ranged reads as ckptverify, the same number in flight, bytes dropped as they arrive.
func rawDownload(_ url: String) async throws -> Double {
    let folder = ObjectLocation(url: url)!
    let client: any StoreClient = folder.store == .s3 ? try S3Client() : try GCSClient()
    let listing = try await client.list(folder.with(key: folder.key + "ckpt-1."))
    let range = Int64(client.rangeSize)
    let pieces = listing.objects.flatMap { object in
        stride(from: Int64(0), to: object.size, by: Int(range)).map { (object.location, $0..<min(object.size, $0 + range)) }
    }
    let start = Clock.now()
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func launch() {
            guard next < pieces.count else { return }
            let (location, bytes) = pieces[next]
            next += 1
            group.addTask { try await client.read(location, range: bytes) { _ in } }
        }
        for _ in 0..<min(client.connections, 32) { launch() }
        while try await group.next() != nil { launch() }
    }
    let seconds = Clock.now() - start
    await client.shutdown()
    return seconds
}

struct Row {
    let method: String
    var seconds: [Double] = []
    var peakRSS = 0
}
/// One round of the first two rows of a verify table: the raw download of the folder `url`
/// (with this process's peak resident set), then `ckptverify` of its `ckpt-1` (the tool's own).
func verifyRound(folder url: String) async throws -> [Spawn.Run] {
    let raw = try await rawDownload(url)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return [Spawn.Run(seconds: raw, peakRSS: usage.ru_maxrss * 1024), try Spawn.run([ckptverify, "--quiet", url + "ckpt-1"])]
}

/// Adds the round `runs` to the first rows of `rows`.
func record(_ runs: [Spawn.Run], in rows: inout [Row]) {
    for (index, run) in runs.enumerated() {
        rows[index].seconds.append(run.seconds)
        rows[index].peakRSS = max(rows[index].peakRSS, run.peakRSS)
    }
}

var verifyRows = [Row(method: "raw parallel download to nowhere"), Row(method: "ckptverify s3://…"), Row(method: "aws s3 cp --recursive + ckptverify")]
let download = Workspace.scratch + "/s3-download"
for _ in 0..<rounds {
    record(try await verifyRound(folder: "s3://ckpt-test/bench/run/"), in: &verifyRows)
    try? FileManager.default.removeItem(atPath: download)
    let copy = try Spawn.shell("aws s3 cp --quiet --recursive s3://ckpt-test/bench/run/ '\(download)'")
    let local = try Spawn.run([ckptverify, "--quiet", download + "/ckpt-1"])
    verifyRows[2].seconds.append(copy.seconds + local.seconds)
    verifyRows[2].peakRSS = max(copy.peakRSS, local.peakRSS)
}
try? FileManager.default.removeItem(atPath: download)

var archiveRows = [Row(method: "ckptdelta archive RUN s3://…"), Row(method: "ckptdelta archive RUN local + aws s3 sync")]
for round in 0..<rounds {
    let direct = try Spawn.run([ckptdelta, "archive", "-q", run, "s3://ckpt-test/bench/archive-\(round)/"])
    archiveRows[0].seconds.append(direct.seconds)
    archiveRows[0].peakRSS = max(archiveRows[0].peakRSS, direct.peakRSS)

    let local = try Workspace.freshDirectory("s3-local-archive")
    let archived = try Spawn.run([ckptdelta, "archive", "-q", run, local])
    let synced = try Spawn.shell("aws s3 sync --quiet '\(local)' s3://ckpt-test/bench/synced-\(round)/")
    archiveRows[1].seconds.append(archived.seconds + synced.seconds)
    archiveRows[1].peakRSS = max(archived.peakRSS, synced.peakRSS)
}

var googleRows = [Row(method: "raw parallel download to nowhere"), Row(method: "ckptverify gs://…")]
for _ in 0..<rounds { record(try await verifyRound(folder: "gs://ckpt-test/bench/run/"), in: &googleRows) }

func table(_ title: String, _ rows: [Row], bytes: Int, baseline: Int) {
    print("\n" + title)
    print("method".padding(toLength: 40, withPad: " ", startingAt: 0) + "   median s     MB/s  vs row \(baseline + 1)   peak RSS")
    let reference = median(rows[baseline].seconds)
    for row in rows {
        let seconds = median(row.seconds)
        print(row.method.padding(toLength: 40, withPad: " ", startingAt: 0)
            + String(format: "  %9.3f  %7.1f  %7.2fx  %7.1f MB", seconds, Double(bytes) / seconds / 1e6, reference / seconds, Double(row.peakRSS) / 1e6))
    }
}
print("\nSeaweedFS on loopback, \(rounds) interleaved rounds, medians; one checkpoint of \(checkpointBytes) bytes (64 tensors of 16 MiB)")
table("Verify a checkpoint in a bucket (throughput relative to the raw download; higher is better)", verifyRows, bytes: checkpointBytes, baseline: 0)
table("Archive two steps into a bucket (speed relative to local archive + sync; higher is better)", archiveRows, bytes: 2 * checkpointBytes, baseline: 1)
print("\nfake-gcs-server on loopback (its in-memory backend), the same checkpoint")
table("Verify a checkpoint in a Google Cloud Storage bucket (throughput relative to the raw download)", googleRows, bytes: checkpointBytes, baseline: 0)
