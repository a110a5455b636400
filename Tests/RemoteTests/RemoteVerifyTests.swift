import FixtureSupport
import Foundation
import ObjectStore
import Testing

/// `ckptverify` on checkpoints in a real S3 server (SeaweedFS, which checks every signature).
@Suite("ckptverify on s3://", .serialized, .needsServers)
struct RemoteVerifyTests {
    static let groups = ["tf2_keras_adam", "sharded_tf1", "sharded_tf2", "partitioned", "dtypes", "tf1_saver"]

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func remoteReportsEqualLocalOnes(server: String) async throws {
        let store = try TestStore.named(server)
        for group in Self.groups {
            let prefix = store.freshPrefix(group)
            try await store.upload(directory: Fixtures.path(group), to: prefix)
            let local = try ToolRunner.run("ckptverify", ["--json", Fixtures.path(group)])
            let remote = try ToolRunner.run("ckptverify", ["--json", prefix.description], environment: store.environment)
            #expect(remote.status == local.status, "\(group): \(remote.standardError)")
            #expect(
                try normalizedReport(remote.standardOutput, root: String(prefix.description.dropLast()))
                    == normalizedReport(local.standardOutput, root: Fixtures.path(group)), "\(group)")
            guard group == "tf2_keras_adam" else { continue }
            // One checkpoint by its prefix, by its .index object, and the newest of the folder.
            let one = try ToolRunner.run("ckptverify", [prefix.description + "ckpt-2"], environment: store.environment)
            #expect(
                one.status == 0 && one.standardOutput.hasPrefix(prefix.description + "ckpt-2: ok"),
                "\(one.standardOutput)\(one.standardError)")
            let byIndex = try ToolRunner.run(
                "ckptverify", ["--list", prefix.appending("ckpt-2.index").description], environment: store.environment)
            // The names come from the object graph, read from the store.
            #expect(byIndex.status == 0 && byIndex.standardOutput.contains("sequential/hidden/kernel"), "\(byIndex.standardError)")
            #expect(byIndex.standardOutput.contains("↳ momentum"))
            let latest = try ToolRunner.run(
                "ckptverify", ["--latest", "--quiet", "--json", prefix.description], environment: store.environment)
            #expect(
                try ToolRunner.json(latest.standardOutput)["checkpoints"].map { ($0 as! [[String: Any]]).map { $0["prefix"] as! String } }
                    == [prefix.description + "ckpt-40"])
        }
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func damageIsReportedAsLocally(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let directory = scratch.copy(fixture: "sharded_tf2")
        let shard = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".data-00001-") }.sorted()[0]
        var bytes = TestFiles.read(directory + "/" + shard)
        bytes[bytes.count / 2] ^= 0x40
        TestFiles.write(bytes, to: directory + "/" + shard)
        let prefix = store.freshPrefix("damaged")
        try await store.upload(directory: directory, to: prefix)
        let local = try ToolRunner.run("ckptverify", [directory])
        let remote = try ToolRunner.run("ckptverify", [prefix.description], environment: store.environment)
        #expect(local.status == 1 && remote.status == 1)
        let lines = { (text: String, root: String) in
            text.split(separator: "\n").filter { !$0.contains(" checked in ") }.map { $0.replacingOccurrences(of: root, with: "ROOT") }
        }
        #expect(lines(remote.standardOutput, String(prefix.description.dropLast())) == lines(local.standardOutput, directory))
        #expect(remote.standardOutput.contains("checksum does not match"))
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func sharesMergeIntoTheReportOfOneRun(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        try writeLargeCheckpoint(prefix: scratch.path("big/ckpt-7"))
        var bytes = TestFiles.read(scratch.path("big/ckpt-7.data-00000-of-00002"))
        bytes[100] ^= 1
        TestFiles.write(bytes, to: scratch.path("big/ckpt-7.data-00000-of-00002"))
        let prefix = store.freshPrefix("shares")
        try await store.upload(directory: scratch.path("big"), to: prefix)
        let whole = try ToolRunner.run("ckptverify", ["--json", prefix.description], environment: store.environment)
        #expect(whole.status == 1)
        var files: [String] = []
        for index in 0..<3 {
            let part = try ToolRunner.run("ckptverify", ["--part", "\(index)/3", prefix.description], environment: store.environment)
            #expect(part.status <= 1, "\(part.standardError)")
            files.append(scratch.path("part-\(index).json"))
            TestFiles.write(Array(part.standardOutput.utf8), to: files[index])
        }
        let merged = try ToolRunner.run("ckptverify", ["--merge", "--json"] + files.reversed(), environment: store.environment)
        #expect(merged.status == 1, "\(merged.standardError)")
        #expect(try normalizedReport(merged.standardOutput, root: "") == normalizedReport(whole.standardOutput, root: ""))
        let incomplete = try ToolRunner.run("ckptverify", ["--merge"] + files.dropLast(), environment: store.environment)
        #expect(incomplete.status == 2 && incomplete.standardError.contains("missing 2/3"))
    }

    @Test func failuresAreOneClearLineWithoutSecrets() async throws {
        let store = try TestStore.seaweedfs
        let prefix = store.freshPrefix("failures")
        try await store.upload(directory: Fixtures.path("dtypes"), to: prefix)
        var wrongSecret = store.environment
        wrongSecret["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-xyz"
        var noCredentials = store.environment
        noCredentials["AWS_ACCESS_KEY_ID"] = String?.none
        noCredentials["AWS_SECRET_ACCESS_KEY"] = String?.none
        var unreachable = store.environment
        unreachable["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
        unreachable["AWS_MAX_ATTEMPTS"] = "2"
        let cases: [(String, [String: String?], String)] = [
            (prefix.description, wrongSecret, "refused the credentials (SignatureDoesNotMatch"),
            (prefix.description, noCredentials, "no AWS credentials found"),
            (prefix.description, unreachable, "did not answer"),
            ("s3://no-such-bucket-here/run/", store.environment, "s3://no-such-bucket-here: no such bucket"),
            (prefix.description + "nothing", store.environment, "no such checkpoint"),
            ("s3://Bad_Bucket/x", store.environment, "not an object-store URL"),
        ]
        for (path, environment, expected) in cases {
            let result = try ToolRunner.run("ckptverify", [path], timeLimit: 60, environment: environment)
            #expect(result.status == 2, "\(path): \(result.standardError)")
            #expect(result.standardError.contains(expected), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
            #expect(!result.standardError.contains("not-the-secret-xyz") && !result.standardError.contains("ckpt/test+secret"))
        }
    }

    /// A read-only identity reads and verifies, and is refused a write in one line.
    @Test func permissionsAreNamed() async throws {
        let store = try TestStore.seaweedfs
        let variables = ProcessInfo.processInfo.environment
        var reader = store.environment
        reader["AWS_ACCESS_KEY_ID"] = variables["CKPT_TEST_READER_KEY"]
        reader["AWS_SECRET_ACCESS_KEY"] = variables["CKPT_TEST_READER_SECRET"]
        let prefix = store.freshPrefix("read-only")
        try await store.upload(directory: Fixtures.path("tf2_keras_adam"), to: prefix)
        let verify = try ToolRunner.run("ckptverify", ["--quiet", prefix.description], environment: reader)
        #expect(verify.status == 0, "\(verify.standardError)")
        let archive = try ToolRunner.run(
            "ckptdelta", ["archive", Fixtures.path("tf1_saver"), prefix.description + "archive/"], environment: reader)
        #expect(archive.status == 2 && archive.standardError.contains("access denied (AccessDenied"), "\(archive.standardError)")
        #expect(archive.standardError.split(separator: "\n").count == 1)
    }

    /// With no keys in the environment or the profile files, credentials come from the instance
    /// metadata service (IMDSv2: a session token first), here moto's.
    @Test func credentialsComeFromInstanceMetadata() async throws {
        let store = try TestStore.moto
        let prefix = store.freshPrefix("imds")
        try await store.upload(directory: Fixtures.path("dtypes"), to: prefix)
        var environment = store.environment
        environment["AWS_ACCESS_KEY_ID"] = String?.none
        environment["AWS_SECRET_ACCESS_KEY"] = String?.none
        environment["AWS_EC2_METADATA_DISABLED"] = String?.none
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = store.endpoint
        let result = try ToolRunner.run("ckptverify", ["--quiet", prefix.description], environment: environment)
        #expect(result.status == 0, "\(result.standardError)")
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9"
        let unreachable = try ToolRunner.run("ckptverify", ["--quiet", prefix.description], environment: environment)
        #expect(unreachable.status == 2 && unreachable.standardError.contains("no AWS credentials found"), "\(unreachable.standardError)")
    }
}
