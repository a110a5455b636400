import FixtureSupport
import Foundation
import ObjectStore
import Testing

/// Faults injected by the proxies in front of SeaweedFS and fake-gcs-server: throttling, cut
/// connections, slow answers, damage in transit, a killed run, two archivers at once. One suite,
/// run one test at a time, because the proxies' fault settings are shared.
@Suite("Faults between the tools and the store", .serialized, .needsServers)
struct FaultTests {
    /// Through a proxy that answers 503 SlowDown to every third request and cuts every fourth
    /// body in half, verification still completes with the same report, and damage is still found.
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func readsSurviveThrottlingAndCutConnections(server: String) async throws {
        let (direct, proxy) = try TestStore.withFaultProxy(server)
        let scratch = TemporaryDirectory()
        try writeLargeCheckpoint(prefix: scratch.path("big/ckpt-3"))
        let prefix = direct.freshPrefix("faults")
        try await direct.upload(directory: scratch.path("big"), to: prefix)
        let faults = try Faults(#"{"slowdown_every": 3, "cut_every": 4}"#)
        var environment = proxy.environment
        environment["CKPT_S3_RANGE_MIB"] = "1"
        environment["AWS_MAX_ATTEMPTS"] = "10"
        let throughFaults = try ToolRunner.run("ckptverify", ["--json", prefix.description], environment: environment)
        let clean = try ToolRunner.run("ckptverify", ["--json", prefix.description], environment: direct.environment)
        #expect(throughFaults.status == 0 && clean.status == 0, "\(throughFaults.standardError)")
        #expect(try normalizedReport(throughFaults.standardOutput, root: "") == normalizedReport(clean.standardOutput, root: ""))
        let stats = try faults.stats()
        #expect((stats["slowdowns"] as? Int ?? 0) > 0 && (stats["cuts"] as? Int ?? 0) > 0, "\(stats)")
    }
    /// Two archivers on one bucket archive at once (one slowed by the fault proxy): where both
    /// add steps, exactly one stops with a clear error (on a loaded machine the slow one may
    /// start only once the other is done, and then adds nothing); the archive holds every step once.
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func twoArchiversOneWins(server: String) async throws {
        let (direct, slow) = try TestStore.withFaultProxy(server)
        let faults = try Faults(#"{"delay_every": 1, "delay_seconds": 0.15}"#)
        let scratch = TemporaryDirectory()
        let run = try RemoteArchiveTests.run(RemoteArchiveTests.allSteps, in: scratch)
        let archive = direct.freshPrefix("race").description
        async let slowResult = Task.detached { try ToolRunner.run("ckptdelta", ["archive", run, archive], environment: slow.environment) }
            .value
        async let fastResult = Task.detached {
            try ToolRunner.run("ckptdelta", ["archive", run, archive], environment: direct.environment)
        }.value
        let results = try await [slowResult, fastResult]
        let failed = results.filter { $0.status != 0 }
        let addedNothing = results.filter { $0.status == 0 && $0.standardOutput.contains(": 0 step(s) added") }
        #expect(failed.count + addedNothing.count == 1, "\(results.map(\.standardError))")
        #expect(
            failed.allSatisfy { $0.status == 2 && $0.standardError.contains("another archiver is writing this archive") },
            "\(failed.map(\.standardError))")
        faults.clear()
        let verify = try ToolRunner.run("ckptdelta", ["verify", "--json", archive], environment: direct.environment)
        #expect(verify.status == 0, "\(verify.standardOutput)")
        let listing = try ToolRunner.run("ckptdelta", ["ls", "--json", archive], environment: direct.environment)
        let steps = try (ToolRunner.json(listing.standardOutput)["steps"] as? [[String: Any]] ?? []).map { $0["step"] as! Int }
        #expect(steps == RemoteArchiveTests.allSteps)
    }

    /// A run killed mid-upload leaves nothing listed that is missing; the next run completes it.
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func aKilledRunIsCompletedByTheNext(server: String) async throws {
        let (direct, slow) = try TestStore.withFaultProxy(server)
        let faults = try Faults(#"{"delay_every": 1, "delay_seconds": 0.2}"#)
        let scratch = TemporaryDirectory()
        let run = try RemoteArchiveTests.run(RemoteArchiveTests.allSteps, in: scratch)
        let archive = direct.freshPrefix("killed").description
        let killed = try ToolRunner.run("ckptdelta", ["archive", run, archive], timeLimit: 1.5, environment: slow.environment)
        #expect(killed.timedOut)
        faults.clear()
        let listed = try ToolRunner.run("ckptdelta", ["verify", archive], environment: direct.environment)
        #expect(listed.status <= 1 && !listed.standardOutput.contains("file.missing"), "\(listed.standardOutput)\(listed.standardError)")
        let next = try ToolRunner.run("ckptdelta", ["archive", run, archive], environment: direct.environment)
        #expect(next.status == 0, "\(next.standardError)")
        let verify = try ToolRunner.run("ckptdelta", ["verify", "--deep", archive], environment: direct.environment)
        #expect(verify.status == 0 && verify.standardOutput.contains("6 step(s) checked"), "\(verify.standardOutput)")
    }
}

/// The proxy's fault settings while the instance lives (none afterwards).
final class Faults {
    private let control: String

    init(_ settings: String) throws {
        guard let control = ProcessInfo.processInfo.environment["CKPT_TEST_FAULTS"] else {
            throw StoreTestSetup("CKPT_TEST_FAULTS is not set: these tests need the servers of scripts/s3-servers")
        }
        self.control = control
        try? FileManager.default.removeItem(atPath: control + ".stats")
        TestFiles.write(Array(settings.utf8), to: control)
    }

    deinit {
        clear()
    }

    /// No more faults.
    func clear() {
        try? FileManager.default.removeItem(atPath: control)
    }

    /// What the proxy injected so far.
    func stats() throws -> [String: Any] {
        try ToolRunner.json(String(decoding: TestFiles.read(control + ".stats"), as: UTF8.self))
    }
}

/// Every remote operation ends in bounded time, whatever a store answers: a listing that never
/// ends, a body trickled a few bytes a second. Each fails with one line naming the object.
/// (In the same serialized suite as the other faults: the proxy's settings are shared.)
extension FaultTests {
    /// A checkpoint folder in the store `server`, reached through its fault proxy.
    static func folder(_ server: String) async throws -> (prefix: String, environment: [String: String?]) {
        let (direct, proxy) = try TestStore.withFaultProxy(server)
        let prefix = direct.freshPrefix("endless")
        try await direct.upload(directory: Fixtures.path("tf2_keras_adam"), to: prefix)
        var environment = proxy.environment
        environment["AWS_MAX_ATTEMPTS"] = "3"
        return (prefix.description, environment)
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func aListingThatNeverEndsIsGivenUp(server: String) async throws {
        let (prefix, environment) = try await Self.folder(server)
        let same = try Faults(#"{"loop_listing": "same"}"#)
        for (tool, arguments) in [("ckptverify", [prefix]), ("ckptdelta", ["ls", prefix]), ("ckptdiff", [prefix, prefix])] {
            let result = try ToolRunner.run(tool, arguments, timeLimit: 60, environment: environment)
            #expect(!result.timedOut && result.status == 2, "\(tool): \(result.status) \(result.standardError)")
            #expect(result.standardError.contains("same page token twice"), "\(result.standardError)")
            #expect(result.standardError.contains(String(prefix.prefix(15))), "\(result.standardError)")
        }
        same.clear()
        let distinct = try Faults(#"{"loop_listing": "distinct"}"#)
        var capped = environment
        capped["CKPT_S3_MAX_LIST_PAGES"] = "20"
        let result = try ToolRunner.run("ckptverify", [prefix], timeLimit: 60, environment: capped)
        #expect(!result.timedOut && result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("did not end after 20 pages (CKPT_S3_MAX_LIST_PAGES)"), "\(result.standardError)")
        #expect((try distinct.stats()["loops"] as? Int ?? 0) >= 20)
    }

    /// A listing, an object read whole (the index) and a ranged read (the data), each sent
    /// 8 bytes a second: given up after three windows of two seconds, naming what was read.
    /// (One case at a time: the proxy's settings are shared.)
    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func aTrickledBodyIsGivenUp(server: String) async throws {
        let listing = server == "fake-gcs-server" ? "/o?" : "list-type=2"
        for (request, object) in [(listing, ""), ("ckpt-10.index", "ckpt-10.index"), (".data-", "ckpt-10.data-00000-of-00001")] {
            try await expectGivenUp(server, trickling: request, naming: object)
        }
    }

    private func expectGivenUp(_ server: String, trickling request: String, naming object: String) async throws {
        let (prefix, environment) = try await Self.folder(server)
        var slow = environment
        slow["CKPT_S3_LOW_SPEED_TIME"] = "2"
        slow["CKPT_S3_LOW_SPEED_LIMIT"] = "1024"
        let faults = try Faults(#"{"trickle_bytes_per_second": 8, "trickle_path": "\#(request)"}"#)
        let started = Date()
        let result = try ToolRunner.run("ckptverify", [prefix + "ckpt-10"], timeLimit: 90, environment: slow)
        let seconds = Date().timeIntervalSince(started)
        #expect(!result.timedOut && result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains("slower than 1024 bytes/s"), "\(result.standardError)")
        #expect(result.standardError.contains(prefix + object), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        // Three attempts of about two seconds each, with backoff.
        #expect(seconds < 40, "\(seconds) s")
        #expect((try faults.stats()["trickles"] as? Int ?? 0) >= 3)
    }
}

/// Damage in transit: a byte flipped in every media download from Google's emulator. Each
/// whole-object download is checked against the object's CRC-32C, so the archive's restore
/// stops with one line naming the object instead of writing damaged files.
extension FaultTests {
    @Test func aCRC32CMismatchStopsTheDownload() async throws {
        let (direct, proxy) = try TestStore.withFaultProxy("fake-gcs-server")
        let scratch = TemporaryDirectory()
        let archive = direct.freshPrefix("flipped").description
        let run = try RemoteArchiveTests.run([1, 2], in: scratch)
        let archived = try ToolRunner.run("ckptdelta", ["archive", run, archive], environment: direct.environment)
        #expect(archived.status == 0, "\(archived.standardError)")
        let faults = try Faults(#"{"flip_media_byte": true}"#)
        let output = scratch.path("restored")
        let restore = try ToolRunner.run("ckptdelta", ["restore", archive, "--step", "2", "-o", output], environment: proxy.environment)
        #expect(restore.status == 2, "\(restore.standardOutput)\(restore.standardError)")
        #expect(restore.standardError.contains("do not match the store's CRC-32C"), "\(restore.standardError)")
        #expect(restore.standardError.contains(archive), "\(restore.standardError)")
        #expect(restore.standardError.split(separator: "\n").count == 1, "\(restore.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect((try faults.stats()["flips"] as? Int ?? 0) >= 1)
    }
}
