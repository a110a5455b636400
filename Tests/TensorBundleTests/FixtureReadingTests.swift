import FixtureSupport
import SSTable
import TensorBundle
import Testing

/// Our reader against what TensorFlow's own reader listed for every fixture.
@Suite struct FixtureReadingTests {
    static let checkpoints = Fixtures.allCheckpoints

    @Test(arguments: checkpoints)
    func readsWhatTensorFlowReads(_ checkpoint: Fixtures.Checkpoint) throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path(checkpoint.prefix))
        #expect(bundle.tableFindings.isEmpty)
        #expect(bundle.headerProblem == nil)
        #expect(try BundleComparison.view(bundle) == checkpoint.variables)
    }

    @Test func decodesStringsScalarsAndEmptyTensors() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo"))
        let strings = try bundle.value(forKey: Array("string".utf8))
        #expect(strings.contents == .strings([Array("hello".utf8), [], Array("wörld".utf8), [0x00, 0xFF] + Array(" bytes".utf8)]))
        #expect(try bundle.value(forKey: Array("scalar_empty_string".utf8)).contents == .strings([[]]))
        #expect(try bundle.value(forKey: Array("empty_string".utf8)).contents == .strings([]))
        let empty = try bundle.entry(forKey: Array("empty_f32".utf8))
        #expect(empty.size == 0)
        #expect(empty.crc32c == 0xA282_EAD8)
        let scalar = try bundle.value(forKey: Array("scalar_f32".utf8))
        #expect(scalar.shape.rank == 0)
        #expect(scalar.contents == .fixed([0x00, 0x00, 0x50, 0x40]))  // 3.25
        let variant = try bundle.value(forKey: Array("variant".utf8))
        guard case .variants(let payloads) = variant.contents else { Issue.record("not a variant"); return }
        #expect(payloads.count == 1)
        #expect(payloads[0].contains(subsequence: Array("tensorflow::TensorList".utf8)))
    }

    @Test func everyDTypeOfTheFormatTableIsInTheZoo() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo"))
        let stored = Set(bundle.records.compactMap { try? $0.entry.get().dtype })
        let storable = Set(DataType.known.filter { $0.storage != .unstorable })
        #expect(storable.subtracting(stored).isEmpty, "missing: \(storable.subtracting(stored))")
        #expect(DataType.bfloat16.elementSize == 2)
        #expect(DataType(name: "float8_e4m3b11fnuz")?.elementSize == 1)
        #expect(DataType(rawValue: 101).name == "float32_ref")
        #expect(DataType(rawValue: 101).storage == .unstorable)
        #expect(DataType(rawValue: 99).name == "dtype(99)")
    }

    @Test func assemblesPartitionedVariables() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("partitioned/slices"))
        let part = try bundle.value(forKey: Array("part".utf8))
        let expected = (0..<12).flatMap { value in withUnsafeBytes(of: Float(value).bitPattern.littleEndian, Array.init) }
        #expect(part.contents == .fixed(expected))
        let full = try bundle.entry(forKey: Array("part".utf8))
        #expect(full.slices.map(\.description) == ["0,2:0,3", "2,2:-"])
    }

    @Test func readsMultiShardBundles() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("sharded_tf2/ckpt-1"))
        #expect(bundle.header?.numShards == 4)
        let shards = Set(
            bundle.records.compactMap { record -> Int64? in
                guard let entry = try? record.entry.get(), !entry.isPartitioned else { return nil }
                return entry.shardID
            })
        #expect(shards == [0, 1, 2, 3])
        #expect(bundle.shards.values.allSatisfy { (try? $0.get()) != nil })
    }
}

extension Array where Element: Equatable {
    func contains(subsequence: [Element]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<$0 + subsequence.count]) == subsequence }
    }
}
