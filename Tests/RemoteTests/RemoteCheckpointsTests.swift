import Archive
import FixtureSupport
import Foundation
import MappedIO
import ObjectStore
import RemoteCheckpoints
import TensorBundle
import Testing
import TrainingState
import Verification

/// The RemoteCheckpoints module on its own, against a real S3 server: locating checkpoints in a
/// bucket, reading them where they are, staging copies, uploading outputs and publishing an
/// archive, with every failure a ``RemoteError`` whose code and cause say what happened. The
/// tests are synchronous, as the module's callers are (its bridge waits on the calling thread,
/// which must not be one of Swift's concurrency pool).
@Suite("RemoteCheckpoints against a real store", .needsServers)
struct RemoteCheckpointsTests {
    /// A session with `store`, configured as the tools configure theirs.
    static func session(_ store: TestStore) -> RemoteSession {
        RemoteSession(environment: store.environment.compactMapValues { $0 })
    }

    /// A fresh folder holding the Keras fixture run (its state file included), uploaded through
    /// the module.
    static func uploadedRun(to store: TestStore, in session: RemoteSession) throws -> ObjectLocation {
        let folder = store.freshPrefix("run")
        let run = Fixtures.path("tf2_keras_adam")
        let names = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
        try RemoteOutput.upload(names, from: run, to: folder.description, force: false, inputs: [], in: session)
        return folder
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func locatesCheckpointsAsALocalDirectoryOrdersThem(server: String) throws {
        let store = try TestStore.named(server)
        let session = Self.session(store)
        let folder = try Self.uploadedRun(to: store, in: session)
        let local = try CheckpointDirectory(path: Fixtures.path("tf2_keras_adam")).checkpoints(latestOnly: false).map(Path.fileName)
        let remote = try RemoteTarget.locate(folder.description, latestOnly: false, in: session)
        #expect(remote.directory != nil)
        #expect(remote.checkpoints.map { Path.fileName(of: $0.prefix) } == local)
        let latest = try RemoteTarget.locate(folder.description, latestOnly: true, in: session)
        #expect(latest.checkpoints.map(\.prefix) == [folder.appending(local.last!).description])
        let one = try RemoteTarget.locate(folder.appending("ckpt-2.index").description, latestOnly: false, in: session)
        #expect(one.directory == nil && one.checkpoints.map(\.prefix) == [folder.appending("ckpt-2").description])
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func nothingThereIsACodeNotAMessage(server: String) throws {
        let store = try TestStore.named(server)
        let session = Self.session(store)
        let empty = store.freshPrefix("empty").description
        let missing = #expect(throws: RemoteError.self) { try RemoteTarget.locate(empty, latestOnly: false, in: session) }
        #expect(missing?.code == .noSuchCheckpoint && missing?.message.contains(empty.dropLast()) == true)
        let notURL = #expect(throws: RemoteError.self) {
            try RemoteTarget.locate(store.kind.scheme + "B/x", latestOnly: false, in: session)
        }
        #expect(notURL?.code == .notAURL)
        let bucket = #expect(throws: StoreError.self) {
            try RemoteTarget.locate(store.kind.scheme + "no-such-bucket-ckpt/run/", latestOnly: false, in: session)
        }
        #expect(bucket?.code == .noSuchBucket, "\(String(describing: bucket))")
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func readsACheckpointWhereItIsAsALocalOneReads(server: String) throws {
        let store = try TestStore.named(server)
        let session = Self.session(store)
        let folder = try Self.uploadedRun(to: store, in: session)
        let checkpoint = try RemoteTarget.locate(folder.appending("ckpt-10").description, latestOnly: false, in: session).checkpoints[0]
        let bundle = try checkpoint.open(in: session)
        let report = try checkpoint.verify(bundle, with: Verifier(), in: session)
        let local = Verifier().verify(try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10")))
        #expect(report.ok && report.tensors.count == local.tensors.count && report.bytesChecked == local.bytesChecked)
        let localBundle = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        for summary in localBundle.summaries {
            let value = try checkpoint.value(forKey: summary.key, of: bundle, in: session).get()
            #expect(value == (try localBundle.value(forKey: summary.key)))
        }
        let names = try checkpoint.trainingState(of: bundle, in: session).variables.values.map(\.name).sorted()
        #expect(names == TrainingState(bundle: localBundle).variables.values.map(\.name).sorted())
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func stagedCopiesAreByteIdenticalNamedByTheirURLAndGoneAfterUse(server: String) throws {
        let store = try TestStore.named(server)
        let session = Self.session(store)
        let folder = try Self.uploadedRun(to: store, in: session)
        var staged: String
        do {
            let copy = try StagedCopy(folder.description, in: session)
            staged = copy.prefix
            #expect(try TestFiles.checkpoint(copy.prefix) == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-40")))
            #expect(Set(copy.sources) == Set(["ckpt-40.index", "ckpt-40.data-00000-of-00001"].map { folder.appending($0).description }))
            #expect(ScratchDirectory.originalPaths(in: "\(copy.prefix).index: damaged") == "\(folder.appending("ckpt-40")).index: damaged")
        }
        #expect(!FileManager.default.fileExists(atPath: Path.directory(of: staged)), "the staging directory outlived its copy")
    }

    @Test(arguments: ["moto", "fake-gcs-server"])
    func uploadsNeverReplaceAnInputOrAnObjectInTheWay(server: String) throws {
        let store = try TestStore.named(server)
        let session = Self.session(store)
        let folder = store.freshPrefix("out")
        let scratch = TemporaryDirectory()
        TestFiles.write(Array("delta".utf8), to: scratch.path("a.ckptdelta"))
        try RemoteOutput.upload(["a.ckptdelta"], from: scratch.path, to: folder.description, force: false, inputs: [], in: session)
        let again = #expect(throws: RemoteError.self) {
            try RemoteOutput.upload(["a.ckptdelta"], from: scratch.path, to: folder.description, force: false, inputs: [], in: session)
        }
        #expect(
            again?.code == .exists && again?.message.hasSuffix("exists (use --force to replace it)") == true, "\(String(describing: again))"
        )
        let input = #expect(throws: RemoteError.self) {
            try RemoteOutput.upload(
                ["a.ckptdelta"], from: scratch.path, to: folder.description, force: true,
                inputs: [folder.appending("a.ckptdelta").description], in: session)
        }
        #expect(input?.code == .exists && input?.message.hasSuffix("never replaced") == true)
    }

    @Test(arguments: ["moto", "fake-gcs-server"])
    func aSecondArchiverLosesByTheStoresAnswerNotByAMessage(server: String) throws {
        let store = try TestStore.named(server)
        let session = Self.session(store)
        let archive = store.freshPrefix("archive").description
        let scratch = TemporaryDirectory()
        let run = try RemoteArchiveTests.run([1, 2], in: scratch)
        // Two archivers read the empty archive; the first writes its manifest, then the second.
        let first = try BucketArchive(archive, in: session)
        let second = try BucketArchive(archive, in: session)
        var archiver = Archiver()
        archiver.publisher = first
        #expect(try archiver.archive(run: run, into: first.staging.path).added.count == 2)
        let lost = #expect(throws: ArchiveError.self) { try second.publishManifest(in: first.staging.path) }
        #expect(lost?.code == .busy, "\(String(describing: lost))")
    }
}
