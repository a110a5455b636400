import FixtureSupport
import Foundation
import SSTable
import TensorBundle
import Testing
import Verification

/// Faults TensorFlow cannot be made to write, built with our table builder around real bytes.
@Suite struct ConstructedFaultTests {
    /// Writes an index holding `records` (in the order given) and a data file of `data`.
    static func bundle(
        _ records: [(String, BundleEntry)], data: [UInt8], shards: Int64 = 1, in directory: TemporaryDirectory
    ) throws -> String {
        let prefix = directory.path("P")
        var options = TableBuilder.Options()
        options.requiresSortedKeys = false
        var table = TableBuilder(options: options)
        try table.add(key: [], value: BundleHeader(numShards: shards).encoded())
        for (key, entry) in records { try table.add(key: Array(key.utf8), value: entry.encoded()) }
        TestFiles.write(table.finish(), to: prefix + ".index")
        TestFiles.write(data, to: BundleFiles.data(prefix: prefix, shard: 0, of: shards))
        return prefix
    }

    /// A float32 entry over `count` floats at `offset` of `data`, with the right CRC.
    static func entry(_ data: [UInt8], offset: Int, count: Int) -> BundleEntry {
        let bytes = Array(data[offset..<min(data.count, offset + 4 * count)])
        return BundleEntry(
            dtype: .float32, shape: TensorShape([Int64(count)]), offset: Int64(offset), size: Int64(4 * count),
            crc32c: CRC32CProbe.masked(bytes))
    }

    static let data: [UInt8] = (0..<64).map { UInt8($0) }

    @Test func entriesPastTheEnd() throws {
        let directory = TemporaryDirectory()
        let prefix = try Self.bundle(
            [("a", Self.entry(Self.data, offset: 0, count: 4)), ("b", Self.entry(Self.data, offset: 48, count: 8))],
            data: Self.data, in: directory)
        #expect(FaultInjection.errors(prefix) == [Pair("entry.past_eof", "b")])
    }

    @Test func overlappingRanges() throws {
        let directory = TemporaryDirectory()
        let prefix = try Self.bundle(
            [
                ("a", Self.entry(Self.data, offset: 0, count: 8)), ("b", Self.entry(Self.data, offset: 16, count: 8)),
                ("c", Self.entry(Self.data, offset: 48, count: 4)),
            ], data: Self.data, in: directory)
        #expect(FaultInjection.errors(prefix) == [Pair("entry.overlap", "b")])
    }

    @Test func unsortedAndDuplicateKeys() throws {
        let directory = TemporaryDirectory()
        let a = Self.entry(Self.data, offset: 0, count: 4)
        let b = Self.entry(Self.data, offset: 16, count: 4)
        let unsorted = try Self.bundle([("b", b), ("a", a)], data: Array(Self.data[0..<32]), in: directory)
        #expect(FaultInjection.errors(unsorted) == [Pair("keys.unsorted")])
        let other = TemporaryDirectory()
        let duplicate = try Self.bundle(
            [("a", a), ("a", b), ("c", Self.entry(Self.data, offset: 32, count: 8))], data: Self.data, in: other)
        #expect(FaultInjection.errors(duplicate) == [Pair("keys.duplicate")])
    }

    @Test func sliceProblems() throws {
        let directory = TemporaryDirectory()
        let slice = TensorSlice([.init(start: 0, length: 2)])
        var full = BundleEntry(dtype: .float32, shape: TensorShape([4]), slices: [slice, TensorSlice([.init(start: 2, length: 2)])])
        full.shardID = 0
        var sliceEntry = Self.entry(Self.data, offset: 0, count: 2)
        sliceEntry.shape = TensorShape([2])
        let orphan = SliceKey.encode(name: Array("ghost".utf8), slice: slice)
        let prefix = directory.path("P")
        var table = TableBuilder()
        try table.add(key: [], value: BundleHeader().encoded())
        let records: [([UInt8], BundleEntry)] = [
            (SliceKey.encode(name: Array("ghost".utf8), slice: slice), Self.entry(Self.data, offset: 16, count: 2)),
            (SliceKey.encode(name: Array("v".utf8), slice: slice), sliceEntry),
            (Array("v".utf8), full),
        ].sorted { $0.0.lexicographicallyPrecedes($1.0) }
        for (key, entry) in records { try table.add(key: key, value: entry.encoded()) }
        TestFiles.write(table.finish(), to: prefix + ".index")
        TestFiles.write(Array(Self.data[0..<24]), to: prefix + ".data-00000-of-00001")
        let errors = FaultInjection.errors(prefix)
        #expect(errors.contains(Pair("slices.missing_record", "v (slice 2,2)")), "\(errors)")
        #expect(errors.contains(Pair("slices.orphan", CheckpointBundle.displayName(orphan))), "\(errors)")
        #expect(errors.count == 2)
    }

    @Test func fileWarnings() throws {
        let directory = TemporaryDirectory()
        // 8 unclaimed bytes between the tensors and 8 trailing ones.
        let prefix = try Self.bundle(
            [("a", Self.entry(Self.data, offset: 0, count: 4)), ("b", Self.entry(Self.data, offset: 24, count: 8))],
            data: Self.data, in: directory)
        TestFiles.write([1], to: directory.path("P.data-00000-of-00003"))
        TestFiles.write([1], to: directory.path("P.index.tempstate42"))
        let report = Verifier().verify(prefix: prefix)
        #expect(report.ok)
        #expect(
            report.findings.map(\.code).sorted() == [
                "debris.tempstate", "shard.count_mismatch", "shard.unclaimed_bytes", "shard.unclaimed_bytes",
            ])
        #expect(report.findings.filter { $0.code == "shard.unclaimed_bytes" }.map(\.offset) == [16, 56])
    }

    @Test func headerEndianness() throws {
        for (endianness, expected) in [
            (BundleHeader.Endianness.big, Pair("header.big_endian")), (.unknown(7), Pair("header.bad_endianness")),
        ] {
            let directory = TemporaryDirectory()
            let prefix = directory.path("P")
            var table = TableBuilder()
            try table.add(key: [], value: BundleHeader(endianness: endianness).encoded())
            try table.add(key: Array("a".utf8), value: Self.entry(Self.data, offset: 0, count: 16).encoded())
            TestFiles.write(table.finish(), to: prefix + ".index")
            TestFiles.write(Self.data, to: prefix + ".data-00000-of-00001")
            let findings = Verifier().verify(prefix: prefix).findings.map { Pair($0.code.rawValue, $0.tensor) }
            #expect(findings == [expected])
        }
    }

    @Test func unreferencedShard() throws {
        let directory = TemporaryDirectory()
        let prefix = try Self.bundle([("a", Self.entry(Self.data, offset: 0, count: 16))], data: Self.data, shards: 2, in: directory)
        TestFiles.write([1], to: directory.path("P.data-00001-of-00002"))
        #expect(FaultInjection.warnings(prefix) == [Pair("shard.unreferenced")])
    }

    @Test func structureOnlySkipsData() throws {
        let faults = FaultInjection()
        let prefix = faults.copy("dtypes") + "/zoo"
        FaultInjection.flip(prefix + ".data-00000-of-00001", at: 0)
        var verifier = Verifier()
        verifier.structureOnly = true
        let report = verifier.verify(prefix: prefix)
        #expect(report.ok)
        #expect(report.bytesChecked == 0)
    }

    /// Small chunks split tensors into many pieces whose CRCs are combined.
    @Test func chunkedChecksumsCombine() throws {
        var verifier = Verifier()
        verifier.chunkSize = 64
        verifier.jobs = 4
        let report = verifier.verify(prefix: Fixtures.path("tf2_keras_adam/ckpt-40"))
        #expect(report.ok, "\(report.findings)")
        let faults = FaultInjection()
        let prefix = faults.copy("tf2_keras_adam") + "/ckpt-40"
        let entry = try TensorBundleProbe.entry(prefix: prefix, name: "optimizer/_variables/7/.ATTRIBUTES/VARIABLE_VALUE")
        FaultInjection.flip(prefix + ".data-00000-of-00001", at: Int(entry.offset) + 5000)
        #expect(
            verifier.verify(prefix: prefix).findings.map { Pair($0.code.rawValue, $0.tensor) }
                == [Pair("data.checksum_mismatch", "optimizer/_variables/7/.ATTRIBUTES/VARIABLE_VALUE")])
    }
}
