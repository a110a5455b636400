import FixtureSupport
import Foundation
import ObjectStore
import TensorBundle
import Testing

/// One of the real S3 servers `scripts/s3-servers` starts on loopback, with the bucket
/// `ckpt-test` the tests write under fresh, unique prefixes.
struct TestStore: Sendable {
    static let bucket = "ckpt-test"

    let name: String
    let endpoint: String

    /// SeaweedFS: checks signatures and upload checksums.
    static var seaweedfs: TestStore { get throws { try named("SeaweedFS", variable: "CKPT_TEST_SEAWEEDFS") } }
    /// moto: conditional writes, storage classes, restores.
    static var moto: TestStore { get throws { try named("moto", variable: "CKPT_TEST_MOTO") } }
    /// The fault-injecting proxy in front of SeaweedFS.
    static var faultProxy: TestStore { get throws { try named("fault proxy", variable: "CKPT_TEST_FAULT_PROXY") } }

    private static func named(_ name: String, variable: String) throws -> TestStore {
        guard let endpoint = ProcessInfo.processInfo.environment[variable] else {
            throw StoreTestSetup("\(variable) is not set: these tests need the servers of scripts/s3-servers (scripts/test starts them)")
        }
        return TestStore(name: name, endpoint: endpoint)
    }

    /// The environment the tools run with: this server, its test credentials, no profile files
    /// and no instance metadata.
    var environment: [String: String?] {
        let variables = ProcessInfo.processInfo.environment
        return [
            "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1", "HOME": NSTemporaryDirectory(), "AWS_PROFILE": nil,
            "AWS_ACCESS_KEY_ID": variables["CKPT_TEST_ACCESS_KEY"], "AWS_SECRET_ACCESS_KEY": variables["CKPT_TEST_SECRET_KEY"],
            "AWS_SESSION_TOKEN": nil, "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "6",
        ]
    }

    /// A client of this server, configured as the tools are, with `extra` settings.
    func client(_ extra: [String: String] = [:]) throws -> S3Client {
        var variables: [String: String] = [:]
        for (name, value) in environment { if let value { variables[name] = value } }
        for (name, value) in extra { variables[name] = value }
        return try S3Client(environment: variables)
    }

    /// A fresh prefix, `s3://ckpt-test/TEST-UUID/`.
    func freshPrefix(_ test: String) -> ObjectLocation {
        ObjectLocation(bucket: Self.bucket, key: "\(test)-\(UUID().uuidString.prefix(8))/")
    }

    /// Uploads every file of the local `directory` under `prefix`.
    func upload(directory: String, to prefix: ObjectLocation) async throws {
        let client = try client()
        defer { Task { await client.shutdown() } }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            try await client.upload(file: directory + "/" + name, to: prefix.appending(name))
        }
    }
}

extension TestStore {
    /// The variables `scripts/s3-servers start` exports, naming its servers.
    static let variables = ["CKPT_TEST_SEAWEEDFS", "CKPT_TEST_MOTO", "CKPT_TEST_FAULT_PROXY", "CKPT_TEST_FAULTS", "CKPT_TEST_ACCESS_KEY"]

    /// Whether the environment names the servers (`scripts/test` starts them and always does).
    static var serversNamed: Bool { variables.allSatisfy { ProcessInfo.processInfo.environment[$0] != nil } }
}

extension Trait where Self == ConditionTrait {
    /// Runs a suite against the servers of `scripts/s3-servers`, or skips it saying why when the
    /// environment names none (a plain `swift test`); `scripts/test` always runs it.
    static var needsServers: Self {
        .enabled(
            if: TestStore.serversNamed,
            "needs the S3 servers of scripts/s3-servers (CKPT_TEST_SEAWEEDFS and the rest are unset); scripts/test starts them")
    }
}

struct StoreTestSetup: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A report printed by `--json`, with the run-dependent parts taken out: timings, and the
/// location (`/tmp/…/group` or `s3://…/group`) replaced by `ROOT`.
func normalizedReport(_ output: String, root: String) throws -> String {
    var document = try ToolRunner.json(output)
    if var checkpoints = document["checkpoints"] as? [[String: Any]] {
        for index in checkpoints.indices { checkpoints[index]["seconds"] = nil }
        document["checkpoints"] = checkpoints
    }
    let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self).replacingOccurrences(of: root.replacingOccurrences(of: "/", with: "\\/"), with: "ROOT")
}

/// A checkpoint of a few MiB written by our writer (several ranged reads per file, a string
/// tensor read whole), for tests of streaming through faults.
func writeLargeCheckpoint(prefix: String) throws {
    try FileManager.default.createDirectory(atPath: (prefix as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    var writer = try BundleWriter(prefix: prefix, shardCount: 2)
    try writer.add(
        Array("vocabulary".utf8), strings: (0..<20_000).map { Array("token-\($0)".utf8) }, shape: TensorShape([20_000]), shard: 1)
    var state: UInt32 = 12345
    for (index, count) in [1_500_000, 700_000, 3, 250_000].enumerated() {
        var values = [Float](repeating: 0, count: count)
        for element in values.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            values[element] = Float(Int32(bitPattern: state)) / 2e9
        }
        try values.withUnsafeBytes { raw in
            try writer.add(
                Array("layer\(index)/kernel".utf8), dtype: .float32, shape: TensorShape([Int64(count)]), bytes: raw, shard: Int64(index % 2)
            )
        }
    }
    try writer.finish()
}
