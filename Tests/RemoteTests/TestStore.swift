import FixtureSupport
import Foundation
import ObjectStore
import TensorBundle
import Testing

/// One of the real servers `scripts/s3-servers` starts on loopback (S3-compatible ones, and
/// Google's emulator), with the bucket `ckpt-test` the tests write under fresh, unique prefixes.
struct TestStore: Sendable {
    static let bucket = "ckpt-test"

    let name: String
    let endpoint: String
    let kind: ObjectLocation.Store

    /// SeaweedFS: checks signatures and upload checksums.
    static var seaweedfs: TestStore { get throws { try named("SeaweedFS", variable: "CKPT_TEST_SEAWEEDFS", kind: .s3) } }
    /// moto: conditional writes, storage classes, restores.
    static var moto: TestStore { get throws { try named("moto", variable: "CKPT_TEST_MOTO", kind: .s3) } }
    /// The fault-injecting proxy in front of SeaweedFS.
    static var faultProxy: TestStore { get throws { try named("fault proxy", variable: "CKPT_TEST_FAULT_PROXY", kind: .s3) } }
    /// The fault-injecting proxy in front of fake-gcs-server.
    static var gcsFaultProxy: TestStore {
        get throws { try named("GCS fault proxy", variable: "CKPT_TEST_GCS_FAULT_PROXY", kind: .gcs) }
    }
    /// fake-gcs-server: Google Cloud Storage's JSON API, generations and CRC-32Cs.
    static var fakeGCS: TestStore { get throws { try named("fake-gcs-server", variable: "CKPT_TEST_FAKE_GCS", kind: .gcs) } }

    /// A server and the fault proxy in front of it: SeaweedFS's for `SeaweedFS`, the emulator's
    /// for `fake-gcs-server`.
    static func withFaultProxy(_ name: String) throws -> (direct: TestStore, proxy: TestStore) {
        name == "fake-gcs-server" ? (try fakeGCS, try gcsFaultProxy) : (try seaweedfs, try faultProxy)
    }

    /// The server called `name` (`SeaweedFS`, `moto`, `fake-gcs-server`).
    static func named(_ name: String) throws -> TestStore {
        switch name {
        case "moto": try moto
        case "fake-gcs-server": try fakeGCS
        default: try seaweedfs
        }
    }

    private static func named(_ name: String, variable: String, kind: ObjectLocation.Store) throws -> TestStore {
        guard let endpoint = ProcessInfo.processInfo.environment[variable] else {
            throw StoreTestSetup("\(variable) is not set: these tests need the servers of scripts/s3-servers (scripts/test starts them)")
        }
        return TestStore(name: name, endpoint: endpoint, kind: kind)
    }

    /// The environment the tools run with: this server, its test credentials, no profile files
    /// and no instance metadata.
    var environment: [String: String?] {
        let variables = ProcessInfo.processInfo.environment
        var environment: [String: String?] = [
            "HOME": NSTemporaryDirectory(), "AWS_PROFILE": nil, "AWS_SESSION_TOKEN": nil, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "6", "GOOGLE_APPLICATION_CREDENTIALS": nil, "STORAGE_EMULATOR_HOST": nil, "AWS_ENDPOINT_URL": nil,
        ]
        switch kind {
        case .s3:
            environment["AWS_ENDPOINT_URL"] = endpoint
            environment["AWS_REGION"] = "us-east-1"
            environment["AWS_ACCESS_KEY_ID"] = variables["CKPT_TEST_ACCESS_KEY"]
            environment["AWS_SECRET_ACCESS_KEY"] = variables["CKPT_TEST_SECRET_KEY"]
        case .gcs:
            environment["STORAGE_EMULATOR_HOST"] = endpoint
        }
        return environment
    }

    /// A client of this server, configured as the tools are, with `extra` settings.
    func client(_ extra: [String: String] = [:]) throws -> any StoreClient {
        var variables: [String: String] = [:]
        for (name, value) in environment { if let value { variables[name] = value } }
        for (name, value) in extra { variables[name] = value }
        switch kind {
        case .s3: return try S3Client(environment: variables)
        case .gcs: return try GCSClient(environment: variables)
        }
    }

    /// A fresh prefix, `s3://ckpt-test/TEST-UUID/` (or `gs://…`).
    func freshPrefix(_ test: String) -> ObjectLocation {
        ObjectLocation(store: kind, bucket: Self.bucket, key: "\(test)-\(UUID().uuidString.prefix(8))/")
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
    static let variables = [
        "CKPT_TEST_SEAWEEDFS", "CKPT_TEST_MOTO", "CKPT_TEST_FAULT_PROXY", "CKPT_TEST_FAULTS", "CKPT_TEST_ACCESS_KEY", "CKPT_TEST_FAKE_GCS",
        "CKPT_TEST_GCS_FAULT_PROXY",
    ]

    /// Whether the environment names the servers (`scripts/test` starts them and always does).
    static var serversNamed: Bool { variables.allSatisfy { ProcessInfo.processInfo.environment[$0] != nil } }
}

extension Trait where Self == ConditionTrait {
    /// Runs a suite against the servers of `scripts/s3-servers`, or skips it saying why when the
    /// environment names none (a plain `swift test`); `scripts/test` always runs it.
    static var needsServers: Self {
        .enabled(
            if: TestStore.serversNamed,
            "needs the servers of scripts/s3-servers (CKPT_TEST_SEAWEEDFS and the rest are unset); scripts/test starts them")
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
