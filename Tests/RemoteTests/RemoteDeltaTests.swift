import FixtureSupport
import Foundation
import ObjectStore
import Testing

/// `ckptdiff` and `ckptdelta create/apply/info` with either side in a real S3 server.
@Suite("ckptdiff and ckptdelta on s3://", .needsServers)
struct RemoteDeltaTests {
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func diffsCreatesAndAppliesAcrossTheStore(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let run = store.freshPrefix("run")
        try await store.upload(directory: Fixtures.path("tf2_keras_adam"), to: run)
        let environment = store.environment
        let local1 = Fixtures.path("tf2_keras_adam/ckpt-1")
        let local2 = Fixtures.path("tf2_keras_adam/ckpt-2")

        // A remote side diffs exactly as its local copy does, and is called by its URL.
        let remoteDiff = try ToolRunner.run(
            "ckptdiff", ["--json", run.description + "ckpt-1", run.description + "ckpt-2"], environment: environment)
        let localDiff = try ToolRunner.run("ckptdiff", ["--json", local1, local2])
        #expect(remoteDiff.status == 1 && localDiff.status == 1)
        var remoteJSON = try ToolRunner.json(remoteDiff.standardOutput)
        var localJSON = try ToolRunner.json(localDiff.standardOutput)
        #expect(remoteJSON["a"] as? String == run.description + "ckpt-1")
        remoteJSON["a"] = nil; remoteJSON["b"] = nil; localJSON["a"] = nil; localJSON["b"] = nil
        var remoteSummary = remoteJSON["summary"] as? [String: Any] ?? [:]
        var localSummary = localJSON["summary"] as? [String: Any] ?? [:]
        remoteSummary["seconds"] = nil
        localSummary["seconds"] = nil
        remoteJSON["summary"] = remoteSummary
        localJSON["summary"] = localSummary
        func canonical(_ json: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try canonical(remoteJSON) == canonical(localJSON))

        // A delta made from remote checkpoints into the store, and applied from it, in both directions.
        let delta = run.description + "deltas/ckpt-2.ckptdelta"
        let create = try ToolRunner.run(
            "ckptdelta", ["create", run.description + "ckpt-1", run.description + "ckpt-2", "-o", delta], environment: environment)
        #expect(
            create.status == 0 && create.standardOutput.hasPrefix(delta + ": ckpt-2 in "), "\(create.standardOutput)\(create.standardError)"
        )
        let again = try ToolRunner.run("ckptdelta", ["create", local1, local2, "-o", delta], environment: environment)
        #expect(again.status == 2 && again.standardError.contains("exists (use --force"))
        let info = try ToolRunner.run("ckptdelta", ["info", delta], environment: environment)
        #expect(info.status == 0 && info.standardOutput.contains("ckpt-2"))

        let applied = try ToolRunner.run("ckptdelta", ["apply", local1, delta, "-o", scratch.path("out")], environment: environment)
        #expect(applied.status == 0, "\(applied.standardError)")
        #expect(try TestFiles.checkpoint(scratch.path("out/ckpt-2")) == TestFiles.checkpoint(local2))
        let remoteOut = run.description + "rebuilt/"
        let remoteApply = try ToolRunner.run(
            "ckptdelta", ["apply", run.description + "ckpt-1", delta, "-o", remoteOut], environment: environment)
        #expect(remoteApply.status == 0, "\(remoteApply.standardError)")
        let client = try store.client()
        defer { Task { await client.shutdown() } }
        for (name, bytes) in try TestFiles.checkpoint(local2) {
            #expect(try await client.get(ObjectLocation(url: remoteOut + name)!)?.bytes == bytes, "\(name)")
        }
        let overwrite = try ToolRunner.run("ckptdelta", ["apply", local1, delta, "-o", remoteOut], environment: environment)
        #expect(overwrite.status == 2 && overwrite.standardError.contains("exists"))
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func aDamagedRemoteCheckpointIsNamedByItsURL(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let directory = scratch.copy(fixture: "tf2_keras_adam")
        var bytes = TestFiles.read(directory + "/ckpt-1.data-00000-of-00001")
        bytes[bytes.count / 3] ^= 0x08
        TestFiles.write(bytes, to: directory + "/ckpt-1.data-00000-of-00001")
        let run = store.freshPrefix("damaged-diff")
        try await store.upload(directory: directory, to: run)
        let result = try ToolRunner.run(
            "ckptdiff", [run.description + "ckpt-1", Fixtures.path("tf2_keras_adam/ckpt-2")], environment: store.environment)
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("ckptdiff: " + run.description + "ckpt-1.index: tensor "), "\(result.standardError)")
        #expect(result.standardError.contains("checksum does not match") && !result.standardError.contains("staging"))
    }

    /// Every failure about a remote delta, an object staged locally on its way in or out,
    /// names the object by its URL: never a staging path, which is gone when the user reads it.
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func remoteFailuresNameTheObjectNotItsStagingCopy(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let run = store.freshPrefix("staged")
        try await store.upload(directory: Fixtures.path("tf2_keras_adam"), to: run)
        let environment = store.environment
        let delta = run.description + "ckpt-2.ckptdelta"
        let local1 = Fixtures.path("tf2_keras_adam/ckpt-1")
        let created = try ToolRunner.run(
            "ckptdelta", ["create", local1, Fixtures.path("tf2_keras_adam/ckpt-2"), "-o", delta], environment: environment)
        #expect(created.status == 0, "\(created.standardError)")
        // A damaged copy of the delta, and the wrong base for the good one.
        let client = try store.client()
        defer { Task { await client.shutdown() } }
        var bytes = try #require(try await client.get(ObjectLocation(url: delta)!)?.bytes)
        bytes[bytes.count - 100] ^= 0x20  // in the manifest: every reader refuses it
        let damaged = run.description + "damaged.ckptdelta"
        try await client.put(ObjectLocation(url: damaged)!, bytes: bytes)
        let cases: [([String], String)] = [
            (["info", damaged], damaged),
            (["apply", local1, damaged, "-o", scratch.path("a")], damaged),
            (["apply", Fixtures.path("tf2_keras_adam/ckpt-3"), delta, "-o", scratch.path("b")], delta),
            (["apply", local1, delta, "-o", run.description + "out/", "--force"], ""),
        ]
        for (arguments, object) in cases {
            let result = try ToolRunner.run("ckptdelta", arguments, environment: environment)
            #expect(!result.standardError.contains(".ckpt-staging-"), "\(arguments): \(result.standardError)")
            if !object.isEmpty {
                #expect(result.status == 2 && result.standardError.contains(object), "\(arguments): \(result.standardError)")
            }
        }
    }
}
