import FixtureSupport
import SSTable
import TensorBundle
import Testing

/// Hostile and damaged inputs: every case ends in a precise finding or error, never a crash,
/// a hang or an unbounded allocation.
@Suite struct MalformedInputTests {
    /// Every problem the reader reports for the bundle at `prefix`: table findings, header
    /// problems, and the errors of reading every record's value.
    static func problems(_ prefix: String) -> [String] {
        guard let bundle = try? CheckpointBundle(prefix: prefix) else { return ["cannot open"] }
        var problems = bundle.tableFindings.map(\.code.rawValue)
        if let header = bundle.headerProblem { problems.append("header: \(header)") }
        for record in bundle.records {
            do {
                _ = try bundle.value(forKey: record.key)
            } catch {
                problems.append(error.code.rawValue)
            }
        }
        return problems
    }

    static func copy(_ fixture: String, prefix: String, in directory: TemporaryDirectory) -> String {
        _ = directory.copy(fixture: fixture)
        return directory.path(fixture + "/" + prefix)
    }

    @Test func theFixturesAreClean() {
        #expect(Self.problems(Fixtures.path("dtypes/zoo")).isEmpty)
    }

    @Test func everyIndexByteFlipIsReported() {
        let directory = TemporaryDirectory()
        let prefix = Self.copy("dtypes", prefix: "zoo", in: directory)
        let original = TestFiles.read(prefix + ".index")
        for position in original.indices {
            var damaged = original
            damaged[position] ^= 0x01
            TestFiles.write(damaged, to: prefix + ".index")
            #expect(!Self.problems(prefix).isEmpty, "flip at index byte \(position) went unnoticed")
        }
    }

    @Test func everyIndexTruncationIsReported() {
        let directory = TemporaryDirectory()
        let prefix = Self.copy("dtypes", prefix: "zoo", in: directory)
        let original = TestFiles.read(prefix + ".index")
        for length in 0..<original.count {
            TestFiles.write(Array(original.prefix(length)), to: prefix + ".index")
            #expect(!Self.problems(prefix).isEmpty, "truncation to \(length) went unnoticed")
        }
    }

    @Test func everyDataByteFlipAndTruncationIsReported() {
        let directory = TemporaryDirectory()
        let prefix = Self.copy("dtypes", prefix: "zoo", in: directory)
        let path = prefix + ".data-00000-of-00001"
        let original = TestFiles.read(path)
        for position in original.indices {
            var damaged = original
            damaged[position] ^= 0x80
            TestFiles.write(damaged, to: path)
            let problems = Self.problems(prefix)
            #expect(!problems.isEmpty, "flip at data byte \(position) went unnoticed")
            #expect(problems.allSatisfy { $0.hasPrefix("data.") || $0 == "entry.bad_size" }, "\(problems)")
        }
        for length in 0..<original.count {
            TestFiles.write(Array(original.prefix(length)), to: path)
            #expect(Self.problems(prefix).contains("entry.past_eof"), "truncation to \(length) went unnoticed")
        }
    }

    /// Entries with absurd fields, written into an otherwise valid table.
    @Test(
        arguments: [
            ("offset past the end", BundleEntry(dtype: .float32, shape: TensorShape([1]), offset: 1 << 40, size: 4), "entry.past_eof"),
            (
                "offset + size overflows", BundleEntry(dtype: .uint8, shape: TensorShape([Int64.max]), offset: 10, size: .max),
                "entry.past_eof"
            ),
            ("negative offset", BundleEntry(dtype: .float32, shape: TensorShape([1]), offset: -1, size: 4), "entry.bad_offset"),
            ("shard out of range", BundleEntry(dtype: .float32, shape: TensorShape([1]), shardID: 5, size: 4), "entry.bad_shard"),
            ("negative shard", BundleEntry(dtype: .float32, shape: TensorShape([1]), shardID: -1, size: 4), "entry.bad_shard"),
            ("unknown dtype", BundleEntry(dtype: DataType(rawValue: 99), shape: TensorShape([1]), size: 4), "entry.bad_dtype"),
            ("resource dtype", BundleEntry(dtype: .resource, shape: TensorShape([1]), size: 4), "entry.bad_dtype"),
            ("reference dtype", BundleEntry(dtype: DataType(rawValue: 101), shape: TensorShape([1]), size: 4), "entry.bad_dtype"),
            ("negative dimension", BundleEntry(dtype: .float32, shape: TensorShape([-1]), size: 4), "entry.bad_shape"),
            (
                "255 dimensions", BundleEntry(dtype: .float32, shape: TensorShape([Int64](repeating: 1, count: 255)), size: 4),
                "entry.bad_shape"
            ),
            ("overflowing shape", BundleEntry(dtype: .float32, shape: TensorShape([1 << 40, 1 << 40]), size: 4), "entry.bad_shape"),
            ("wrong size", BundleEntry(dtype: .float32, shape: TensorShape([2]), size: 4), "entry.bad_size"),
            ("a billion strings in 4 bytes", BundleEntry(dtype: .string, shape: TensorShape([1 << 30]), size: 4), "entry.bad_size"),
            ("string lengths past the entry", BundleEntry(dtype: .string, shape: TensorShape([2]), size: 4), "data.bad_string"),
            ("bad crc", BundleEntry(dtype: .float32, shape: TensorShape([1]), size: 4, crc32c: 1), "data.checksum_mismatch"),
            (
                "slices that overlap",
                BundleEntry(
                    dtype: .float32, shape: TensorShape([4]),
                    slices: [
                        TensorSlice([.init(start: 0, length: 3)]), TensorSlice([.init(start: 2, length: 2)]),
                    ]), "slices.bad"
            ),
            (
                "slices that do not cover",
                BundleEntry(dtype: .float32, shape: TensorShape([4]), slices: [TensorSlice([.init(start: 0, length: 3)])]), "slices.bad"
            ),
            (
                "slice past the shape",
                BundleEntry(dtype: .float32, shape: TensorShape([4]), slices: [TensorSlice([.init(start: 3, length: 3)])]), "slices.bad"
            ),
            (
                "a terabyte tensor from one absent slice",
                BundleEntry(
                    dtype: .float32, shape: TensorShape([1 << 38]),
                    slices: [
                        TensorSlice([.init(start: 0, length: 1 << 37)]), TensorSlice([.init(start: 1 << 37, length: 1 << 37)]),
                    ]), "slices.bad"
            ),
            (
                "slice record missing",
                BundleEntry(
                    dtype: .float32, shape: TensorShape([4]),
                    slices: [
                        TensorSlice([.init(start: 0, length: 2)]), TensorSlice([.init(start: 2, length: 2)]),
                    ]), "slices.bad"
            ),
        ] as [(String, BundleEntry, String)])
    func absurdEntriesEndInAPreciseError(_ name: String, _ entry: BundleEntry, _ code: String) throws {
        let directory = TemporaryDirectory()
        let prefix = directory.path("P")
        var table = TableBuilder()
        try table.add(key: [], value: BundleHeader().encoded())
        try table.add(key: Array("t".utf8), value: entry.encoded())
        TestFiles.write(table.finish(), to: prefix + ".index")
        TestFiles.write([0x00, 0x00, 0x80, 0x3F, 0x01, 0x01, 0x01, 0x01], to: prefix + ".data-00000-of-00001")
        let bundle = try CheckpointBundle(prefix: prefix)
        let error = #expect(throws: TensorError.self, "\(name)") { try bundle.value(forKey: Array("t".utf8)) }
        #expect(error?.code.rawValue == code, "\(name): \(String(describing: error))")
    }

    @Test func headerProblemsAreReported() throws {
        let cases: [(String, [(key: [UInt8], value: [UInt8])], HeaderProblem.Code)] = [
            ("no records", [], .missing),
            ("first record not the header", [(Array("a".utf8), BundleHeader().encoded())], .notFirst),
            ("zero shards", [([], BundleHeader(numShards: 0).encoded())], .badShardCount),
            ("min consumer too new", [([], BundleHeader(version: .init(producer: 1, minConsumer: 2)).encoded())], .refusedVersion),
            ("bad consumer", [([], BundleHeader(version: .init(producer: 1, badConsumers: [1])).encoded())], .refusedVersion),
            ("packed bad consumer", [([], [0x08, 0x01, 0x1A, 0x05, 0x08, 0x01, 0x1A, 0x01, 0x01])], .refusedVersion),
            ("unparseable", [([], [0x0A, 0x05, 0x01])], .unparseable),
        ]
        for (name, records, expected) in cases {
            let directory = TemporaryDirectory()
            var table = TableBuilder()
            for record in records { try table.add(key: record.key, value: record.value) }
            TestFiles.write(table.finish(), to: directory.path("P.index"))
            let bundle = try CheckpointBundle(prefix: directory.path("P"))
            #expect(bundle.headerProblem?.code == expected, "\(name): \(String(describing: bundle.headerProblem))")
        }
    }

    @Test func recordOdditiesAreNotedNotFatal() throws {
        // dtype as fixed32 instead of a varint, an unknown field 15, a named dimension.
        let bytes: [UInt8] = [0x0D, 0x01, 0x00, 0x00, 0x00, 0x78, 0x01, 0x12, 0x07, 0x12, 0x05, 0x08, 0x01, 0x12, 0x01, 0x78]
        let entry = try BundleEntry.decode(bytes)
        #expect(entry.issues.map(\.code) == [.wrongWireType, .unknownField, .ignoredShapeField])
        #expect(entry.shape == TensorShape([1]))
        #expect(throws: ProtoError.self) { try BundleEntry.decode([0x12, 0x7F]) }  // length past the end
        #expect(throws: ProtoError.self) { try BundleEntry.decode([0x0B]) }  // a group
    }
}

extension MalformedInputTests {
    /// A header whose packed `version.bad_consumers` ends inside a varint (hand-made: field 3 of
    /// the VersionDef, length 2, bytes 0x81 0x80) is refused; it was read as the value 1.
    @Test func truncatedPackedVarintsAreRefused() throws {
        // BundleHeaderProto: num_shards = 1 (08 01), version (field 3, 6 bytes): producer 1,
        // then bad_consumers packed with two continuation bytes and no end.
        let header: [UInt8] = [0x08, 0x01, 0x1a, 0x06, 0x08, 0x01, 0x1a, 0x02, 0x81, 0x80]
        #expect(throws: ProtoError.self) { try BundleHeader.decode(header) }
        // The same field with a final byte decodes.
        let complete: [UInt8] = [0x08, 0x01, 0x1a, 0x07, 0x08, 0x01, 0x1a, 0x03, 0x81, 0x80, 0x01]
        #expect(try BundleHeader.decode(complete).version?.badConsumers == [1 + (1 << 14)])
    }
}
