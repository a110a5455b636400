import FixtureSupport
import MappedIO
import SSTable
import TensorBundle
import Testing

@Suite struct BundleWriterTests {
    @Test func writesTheWorkedExampleByteForByte() throws {
        let directory = TemporaryDirectory()
        let prefix = directory.path("P")
        var writer = try BundleWriter(prefix: prefix)
        try writer.add("f", dtype: .float32, shape: TensorShape([2, 3]), bytes: Array(WorkedExample.data[0..<24]))
        try writer.add(Array("s".utf8), strings: [Array("hello".utf8), Array("world".utf8)], shape: TensorShape([2]))
        try writer.finish()
        #expect(TestFiles.read(prefix + ".data-00000-of-00001") == WorkedExample.data)
        #expect(TestFiles.read(prefix + ".index") == WorkedExample.index)
        #expect(try FileSystem.contents(ofDirectory: directory.path) == ["P.data-00000-of-00001", "P.index"])
    }

    /// Rewrites every TensorFlow fixture with our writer, tensors in their original data
    /// order, and compares every file byte for byte.
    @Test(arguments: Fixtures.allCheckpoints)
    func rewritesTensorFlowCheckpointsIdentically(_ checkpoint: Fixtures.Checkpoint) throws {
        let original = try Bundle(prefix: Fixtures.path(checkpoint.prefix))
        let directory = TemporaryDirectory()
        let prefix = directory.path("copy")
        let shardCount = original.header!.numShards
        var writer = try BundleWriter(prefix: prefix, shardCount: shardCount)
        let stored = original.records.filter { !(try! $0.entry.get()).isPartitioned }
            .sorted { a, b in
                let (x, y) = (try! a.entry.get(), try! b.entry.get())
                return (x.shardID, x.offset, x.size) < (y.shardID, y.offset, y.size)
            }
        for record in stored {
            let entry = try record.entry.get()
            if let (name, slice) = SliceKey.decode(record.key), let full = try? original.entry(forKey: name), full.isPartitioned {
                let bytes = try original.withStoredBytes(of: entry, key: record.key) { Array($0) }
                try writer.addSlice(name, dtype: entry.dtype, fullShape: full.shape, slice: slice, bytes: bytes, shard: entry.shardID)
                continue
            }
            let value = try original.value(forKey: record.key)
            switch value.contents {
            case .fixed(let bytes):
                try writer.add(record.key, dtype: entry.dtype, shape: entry.shape, bytes: bytes, shard: entry.shardID)
            case .strings(let strings):
                try writer.add(record.key, strings: strings, shape: entry.shape, shard: entry.shardID)
            case .variants(let payloads):
                try writer.add(record.key, variants: payloads, shape: entry.shape, shard: entry.shardID)
            }
        }
        try writer.finish()
        for shard in 0..<shardCount {
            #expect(
                TestFiles.read(BundleFiles.data(prefix: prefix, shard: shard, of: shardCount))
                    == TestFiles.read(BundleFiles.data(prefix: original.prefix, shard: shard, of: shardCount)),
                "shard \(shard)")
        }
        #expect(TestFiles.read(prefix + ".index") == TestFiles.read(original.prefix + ".index"))
    }

    @Test func refusesBadInputAndNeverOverwrites() throws {
        let directory = TemporaryDirectory()
        let prefix = directory.path("P")
        var writer = try BundleWriter(prefix: prefix)
        let empty = #expect(throws: BundleWriteError.self) { try writer.add("", dtype: .float32, shape: TensorShape([1]), bytes: [0, 0, 0, 0]) }
        #expect(empty?.code == .emptyKey)
        try writer.add("a", dtype: .float32, shape: TensorShape([1]), bytes: [0, 0, 0, 0])
        let duplicate = #expect(throws: BundleWriteError.self) { try writer.add("a", dtype: .float32, shape: TensorShape([1]), bytes: [0, 0, 0, 0]) }
        #expect(duplicate?.code == .duplicateKey)
        let wrongSize = #expect(throws: BundleWriteError.self) { try writer.add("b", dtype: .float32, shape: TensorShape([2]), bytes: [0, 0, 0, 0]) }
        #expect(wrongSize?.code == .badTensor)
        try writer.finish()
        #expect(throws: BundleWriteError.self) { try BundleWriter(prefix: prefix) }
    }

    @Test func anUnfinishedWriterLeavesNothing() throws {
        let directory = TemporaryDirectory()
        do {
            var writer = try BundleWriter(prefix: directory.path("P"))
            try writer.add("a", dtype: .int8, shape: TensorShape([2]), bytes: [1, 2])
        }
        #expect(try FileSystem.contents(ofDirectory: directory.path).isEmpty)
    }
}
