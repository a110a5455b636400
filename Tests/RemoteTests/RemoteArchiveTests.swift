import FixtureSupport
import Foundation
import ObjectStore
import Testing

/// `ckptdelta archive/restore/ls/verify/thaw` with the archive in a real S3 server.
@Suite("Archives in s3://", .serialized, .needsServers)
struct RemoteArchiveTests {
    /// A copy of the Keras fixture run holding only `steps`.
    static func run(_ steps: [Int], in scratch: TemporaryDirectory) throws -> String {
        let run = scratch.path("run")
        try? FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let source = Fixtures.path("tf2_keras_adam")
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            guard let step = Int(name.split(separator: ".")[0].dropFirst("ckpt-".count)), steps.contains(step),
                !FileManager.default.fileExists(atPath: run + "/" + name)
            else { continue }
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: run + "/" + name)
        }
        return run
    }

    static let allSteps = [1, 2, 3, 10, 11, 40]

    @Test(arguments: ["SeaweedFS", "moto", "fake-gcs-server"])
    func archivesIncrementallyAndRestoresEveryStep(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let archive = store.freshPrefix("archive").description
        let first = try ToolRunner.run(
            "ckptdelta", ["archive", try Self.run([1, 2, 3], in: scratch), archive], environment: store.environment)
        #expect(first.status == 0, "\(first.standardError)")
        let second = try ToolRunner.run(
            "ckptdelta", ["archive", try Self.run(Self.allSteps, in: scratch), archive], environment: store.environment)
        #expect(
            second.status == 0 && second.standardOutput.contains("ckpt-10: delta against step 3"),
            "\(second.standardOutput)\(second.standardError)")
        let again = try ToolRunner.run("ckptdelta", ["archive", scratch.path("run"), archive], environment: store.environment)
        #expect(again.standardOutput.contains("0 step(s) added"))

        let verify = try ToolRunner.run("ckptdelta", ["verify", "--deep", archive], environment: store.environment)
        #expect(
            verify.status == 0 && verify.standardOutput.contains("6 step(s) checked, every one rebuilt"),
            "\(verify.standardOutput)\(verify.standardError)")
        for step in Self.allSteps {
            let output = scratch.path("restored-\(step)")
            let restore = try ToolRunner.run(
                "ckptdelta", ["restore", archive, "--step", "\(step)", "-o", output], environment: store.environment)
            #expect(restore.status == 0, "\(restore.standardError)")
            #expect(
                try TestFiles.checkpoint(output + "/ckpt-\(step)") == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-\(step)")))
        }

        // The same layout as a local archive: the listing of a local archive of the same run is the same.
        let local = scratch.path("local-archive")
        #expect(try ToolRunner.run("ckptdelta", ["archive", "--quiet", scratch.path("run"), local]).status == 0)
        let remoteListing = try ToolRunner.run("ckptdelta", ["ls", archive], environment: store.environment)
        let localListing = try ToolRunner.run("ckptdelta", ["ls", local])
        #expect(remoteListing.status == 0 && remoteListing.standardOutput == localListing.standardOutput)
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func aSyncedCopyWorksEitherWay(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let local = scratch.path("archive")
        #expect(try ToolRunner.run("ckptdelta", ["archive", "--quiet", try Self.run(Self.allSteps, in: scratch), local]).status == 0)
        // A local archive uploaded as it is restores from the bucket …
        let prefix = store.freshPrefix("synced")
        try await store.upload(directory: local, to: prefix)
        let restore = try ToolRunner.run(
            "ckptdelta", ["restore", prefix.description, "--latest", "-o", scratch.path("out")], environment: store.environment)
        #expect(restore.status == 0, "\(restore.standardError)")
        #expect(try TestFiles.checkpoint(scratch.path("out/ckpt-40")) == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-40")))
        // … and the bucket archive grows on from there.
        let more = try ToolRunner.run("ckptdelta", ["verify", prefix.description], environment: store.environment)
        #expect(more.status == 0, "\(more.standardOutput)\(more.standardError)")
    }

    /// A training folder in the bucket, archived a checkpoint at a time, locally and into the bucket.
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func archivesARunThatLivesInTheBucket(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let run = store.freshPrefix("remote-run")
        try await store.upload(directory: Fixtures.path("tf1_saver"), to: run)
        let local = scratch.path("archive")
        let toLocal = try ToolRunner.run("ckptdelta", ["archive", run.description, local], environment: store.environment)
        #expect(
            toLocal.status == 0 && toLocal.standardOutput.contains("3 step(s) added"), "\(toLocal.standardOutput)\(toLocal.standardError)")
        let bucket = store.freshPrefix("remote-archive").description
        #expect(try ToolRunner.run("ckptdelta", ["archive", run.description, bucket], environment: store.environment).status == 0)
        let again = try ToolRunner.run("ckptdelta", ["archive", run.description, bucket], environment: store.environment)
        #expect(again.standardOutput.contains("0 step(s) added"))
        for archive in [local, bucket] {
            let restore = try ToolRunner.run(
                "ckptdelta", ["restore", archive, "--latest", "-o", scratch.path("out-\(archive.count)")], environment: store.environment)
            #expect(restore.status == 0, "\(restore.standardError)")
            let restored = scratch.path("out-\(archive.count)/model.ckpt-50")
            #expect(try TestFiles.checkpoint(restored) == TestFiles.checkpoint(Fixtures.path("tf1_saver/model.ckpt-50")))
            #expect(TestFiles.read(restored + ".meta") == TestFiles.read(Fixtures.path("tf1_saver/model.ckpt-50.meta")))
        }
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func aFolderThatIsNotAnArchiveIsRefused(server: String) async throws {
        let store = try TestStore.named(server)
        let scratch = TemporaryDirectory()
        let prefix = store.freshPrefix("foreign")
        try await store.upload(directory: Fixtures.path("dtypes"), to: prefix)
        let result = try ToolRunner.run(
            "ckptdelta", ["archive", try Self.run([1], in: scratch), prefix.description], environment: store.environment)
        #expect(
            result.status == 2 && result.standardError.contains("not an archive (no archive.json) and not empty"), "\(result.standardError)"
        )
        let restore = try ToolRunner.run(
            "ckptdelta", ["restore", prefix.description, "--latest", "-o", scratch.path("out")], environment: store.environment)
        #expect(restore.status == 2 && restore.standardError.contains("not an archive"))
    }

    /// moto implements storage classes: objects in GLACIER cannot be read until restored.
    @Test func archiveTiersFailFastAndThawExactlyTheChain() async throws {
        let store = try TestStore.moto
        let scratch = TemporaryDirectory()
        let archive = store.freshPrefix("glacier").description
        #expect(
            try ToolRunner.run(
                "ckptdelta", ["archive", "--storage-class", "GLACIER", try Self.run([1, 2, 3], in: scratch), archive],
                environment: store.environment
            ).status == 0)
        // A chain cannot continue from a base that cannot be read: the next run starts a keyframe.
        let more = try ToolRunner.run(
            "ckptdelta", ["archive", "--storage-class", "GLACIER", try Self.run([10, 11], in: scratch), archive],
            environment: store.environment)
        #expect(more.status == 0 && more.standardOutput.contains("ckpt-10: keyframe"), "\(more.standardOutput)\(more.standardError)")
        let listing = try ToolRunner.run("ckptdelta", ["ls", archive], environment: store.environment)
        #expect(listing.status == 0)
        let refused = try ToolRunner.run(
            "ckptdelta", ["restore", archive, "--step", "11", "-o", scratch.path("out")], environment: store.environment)
        #expect(
            refused.status == 2 && refused.standardError.contains("needs 2 object(s) in an archive storage class"),
            "\(refused.standardError)")
        #expect(refused.standardError.contains("ckpt-10.key.ckptdelta (GLACIER)"))
        let thaw = try ToolRunner.run("ckptdelta", ["thaw", archive, "--step", "11"], environment: store.environment)
        #expect(thaw.status == 0 && thaw.standardOutput.contains("2 restore(s) started"), "\(thaw.standardOutput)\(thaw.standardError)")
        let restored = try ToolRunner.run(
            "ckptdelta", ["restore", archive, "--step", "11", "-o", scratch.path("out")], environment: store.environment)
        #expect(restored.status == 0, "\(restored.standardError)")
        #expect(try TestFiles.checkpoint(scratch.path("out/ckpt-11")) == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-11")))
        // Step 2's chain is still frozen.
        let other = try ToolRunner.run(
            "ckptdelta", ["restore", archive, "--step", "2", "-o", scratch.path("out2")], environment: store.environment)
        #expect(other.status == 2 && other.standardError.contains("needs 2 object(s)"))
    }
}
