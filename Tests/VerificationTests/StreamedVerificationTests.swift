import FixtureSupport
import Foundation
import MappedIO
import Synchronization
import TensorBundle
import Testing
import Verification

/// The streamed data pass (how a checkpoint in an object store is verified) over local files,
/// in tiny windows, and the sequential pass (each local file read once, as `ckptdelta create`
/// reads its inputs), with the bytes handed over in pieces of random size: every report must be
/// the report of the mapped data pass, finding for finding.
@Suite struct StreamedVerificationTests {
    /// A reader of local files that delivers each range in pieces of 1 to 5,000 bytes.
    struct ChoppyReader: ShardReader {
        let seed: UInt64

        func read(_ path: String, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void) async throws {
            var random = RandomCorruptionTests.SplitMix(state: seed ^ UInt64(range.lowerBound))
            try MappedFile(path: path).withUnsafeBytes { (bytes) throws(FileError) in
                var offset = Int(range.lowerBound)
                while offset < Int(range.upperBound) {
                    let take = min(Int.random(in: 1...5_000, using: &random), Int(range.upperBound) - offset)
                    consume(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
                    offset += take
                }
            }
        }
    }

    /// A source of local files that delivers each file in pieces of 1 to 5,000 bytes and
    /// remembers how many bytes of each it delivered.
    final class ChoppySource: DataFileSource {
        let seed: UInt64
        let delivered = Mutex<[String: Int]>([:])

        init(seed: UInt64) {
            self.seed = seed
        }

        func read(_ path: String, into consume: (UnsafeRawBufferPointer) -> Void) throws(FileError) {
            var random = RandomCorruptionTests.SplitMix(state: seed)
            let count = try MappedFile(path: path).withUnsafeBytes { (bytes) -> Int in
                var offset = 0
                while offset < bytes.count {
                    let take = min(Int.random(in: 1...5_000, using: &random), bytes.count - offset)
                    consume(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
                    offset += take
                }
                return offset
            }
            delivered.withLock { $0[path, default: 0] += count }
        }
    }

    /// The checkpoint at `prefix` opened as a remote one is: its index read into memory, its data
    /// files known only by their sizes.
    static func unmapped(_ prefix: String) throws -> (bundle: CheckpointBundle, siblings: [String]) {
        let directory = (prefix as NSString).deletingLastPathComponent
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let sizes = Dictionary(uniqueKeysWithValues: names.map { ($0, TestFiles.read(directory + "/" + $0).count) })
        let index = try TestFiles.read(prefix + ".index").withUnsafeBytes { try MappedFile(copying: $0, path: prefix + ".index") }
        return (CheckpointBundle(prefix: prefix, indexFile: index, dataFileSizes: sizes), names)
    }

    /// The streamed report of `prefix` against the mapped one.
    static func expectSameReports(_ prefix: String, windowSize: Int = 1_000, share: Share? = nil) async throws {
        var verifier = Verifier()
        verifier.share = share
        // Each pass plans the bytes it checks, then reports every one of them done.
        let recorders = (mapped: ProgressRecorder(), streamed: ProgressRecorder(), sequential: ProgressRecorder())
        verifier.progress = recorders.mapped.progress
        let local = verifier.verify(prefix: prefix)
        verifier.chunkSize = windowSize
        verifier.readsInFlight = 3
        let (bundle, siblings) = try unmapped(prefix)
        verifier.progress = recorders.streamed.progress
        let streamed = try await verifier.verify(bundle, reader: ChoppyReader(seed: UInt64(windowSize)), siblings: siblings)
        verifier.progress = recorders.sequential.progress
        // The mixed-save diagnosis names a sibling whose data matches only when it can map that
        // data (a local run): compare its message up to that part.
        let describe = { (report: CheckpointReport) in
            report.findings.map { "\($0.severity) \($0.code) \($0.tensor ?? "-") \($0.file ?? "-") \($0.message.split(separator: ";")[0])" }
        }
        #expect(describe(streamed) == describe(local), "\(prefix)")
        #expect(streamed.tensors.map { $0.error?.code } == local.tensors.map { $0.error?.code }, "\(prefix)")
        #expect(streamed.bytesChecked == local.bytesChecked && streamed.dataFailures == local.dataFailures, "\(prefix)")
        let opened = try CheckpointBundle(prefix: prefix)
        let source = ChoppySource(seed: UInt64(windowSize))
        let sequential = try verifier.verify(opened, source: source)
        #expect(describe(sequential) == describe(local), "\(prefix)")
        #expect(sequential.tensors.map { $0.error?.code } == local.tensors.map { $0.error?.code }, "\(prefix)")
        #expect(sequential.bytesChecked == local.bytesChecked && sequential.dataFailures == local.dataFailures, "\(prefix)")
        // Every data file the index references was read once, whole.
        let expected = opened.shards.compactMap { shard, file -> (String, Int)? in
            guard case .success(let file) = file, let count = opened.header?.numShards else { return nil }
            return (BundleFiles.data(prefix: prefix, shard: shard, of: count), file.count)
        }
        #expect(source.delivered.withLock { $0 } == Dictionary(uniqueKeysWithValues: expected), "\(prefix)")
        for recorder in [recorders.mapped, recorders.streamed, recorders.sequential] {
            #expect(recorder.planned == local.bytesChecked && recorder.done == recorder.planned && !recorder.ranAhead, "\(prefix)")
        }
    }

    /// A file the sequential pass cannot read stops it with the source's error: the pass says
    /// nothing about the checkpoint.
    @Test func sequentialReadFailuresAreThrown() throws {
        struct FailingSource: DataFileSource {
            func read(_ path: String, into consume: (UnsafeRawBufferPointer) -> Void) throws(FileError) {
                throw FileError(errno: EIO, path: path, operation: "read")
            }
        }
        let prefix = Fixtures.path(Fixtures.manifest.values.joined().first!.prefix)
        #expect(throws: FileError.self) { try Verifier().verify(try CheckpointBundle(prefix: prefix), source: FailingSource()) }
    }

    @Test func everyFixtureIsReportedAlike() async throws {
        for checkpoint in Fixtures.manifest.values.joined() {
            for windowSize in [64, 1_000, 1 << 20] {
                try await Self.expectSameReports(Fixtures.path(checkpoint.prefix), windowSize: windowSize)
            }
        }
    }

    @Test func damageIsReportedAlike() async throws {
        let faults = FaultInjection()
        var random = RandomCorruptionTests.SplitMix(state: 77)
        for group in ["tf2_keras_adam", "sharded_tf2", "dtypes", "partitioned"] {
            let directory = faults.copy(group)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".data-") }.sorted()
            for file in files {
                let size = TestFiles.read(directory + "/" + file).count
                for _ in 0..<3 where size > 0 {
                    FaultInjection.flip(directory + "/" + file, at: Int.random(in: 0..<size, using: &random), mask: 0x20)
                }
            }
            let prefixes = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".index") }.map {
                directory + "/" + $0.dropLast(6)
            }
            for prefix in prefixes { try await Self.expectSameReports(prefix, windowSize: 333) }
        }
    }

    @Test func constructedFaultsAreReportedAlike() async throws {
        let data = ConstructedFaultTests.data
        func entry(_ data: [UInt8], _ offset: Int, _ count: Int) -> BundleEntry {
            ConstructedFaultTests.entry(data, offset: offset, count: count)
        }
        let layouts: [[(String, BundleEntry)]] = [
            [("a", entry(data, 0, 4)), ("b", entry(data, 48, 8))],  // past the end
            [("a", entry(data, 0, 8)), ("b", entry(data, 16, 8)), ("c", entry(data, 48, 4))],  // overlap
            [("a", entry(data, 0, 4)), ("b", entry(data, 24, 8))],  // gaps
            [("a", entry(data, 0, 0)), ("b", entry(data, 0, 16)), ("c", entry(data, 64, 0))],  // empty tensors
        ]
        for records in layouts {
            let directory = TemporaryDirectory()
            let prefix = try ConstructedFaultTests.bundle(records, data: data, in: directory)
            for windowSize in [1, 5, 16, 1_000] { try await Self.expectSameReports(prefix, windowSize: windowSize) }
        }
    }

    @Test func sharesAreReportedAlike() async throws {
        let faults = FaultInjection()
        let directory = faults.copy("sharded_tf2")
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.contains(".data-") {
            FaultInjection.flip(directory + "/" + file, at: TestFiles.read(directory + "/" + file).count / 2)
        }
        let prefix = try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".index") }.map {
            directory + "/" + $0.dropLast(6)
        }!
        for index in 0..<4 { try await Self.expectSameReports(prefix, windowSize: 500, share: Share(index: index, count: 4)) }
    }
}
