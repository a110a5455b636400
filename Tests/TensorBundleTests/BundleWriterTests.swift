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
        let original = try CheckpointBundle(prefix: Fixtures.path(checkpoint.prefix))
        let directory = TemporaryDirectory()
        try BundleComparison.rewrite(original, to: directory.path("copy"))
        let shardCount = original.header!.numShards
        for (ours, theirs) in zip(
            BundleComparison.files(prefix: directory.path("copy"), shardCount: shardCount),
            BundleComparison.files(prefix: original.prefix, shardCount: shardCount)
        ) {
            #expect(TestFiles.read(ours) == TestFiles.read(theirs), "\(theirs)")
        }
    }

    @Test func refusesBadInputAndNeverOverwrites() throws {
        let directory = TemporaryDirectory()
        let prefix = directory.path("P")
        var writer = try BundleWriter(prefix: prefix)
        let empty = #expect(throws: BundleWriteError.self) {
            try writer.add("", dtype: .float32, shape: TensorShape([1]), bytes: [0, 0, 0, 0])
        }
        #expect(empty?.code == .emptyKey)
        try writer.add("a", dtype: .float32, shape: TensorShape([1]), bytes: [0, 0, 0, 0])
        let duplicate = #expect(throws: BundleWriteError.self) {
            try writer.add("a", dtype: .float32, shape: TensorShape([1]), bytes: [0, 0, 0, 0])
        }
        #expect(duplicate?.code == .duplicateKey)
        let wrongSize = #expect(throws: BundleWriteError.self) {
            try writer.add("b", dtype: .float32, shape: TensorShape([2]), bytes: [0, 0, 0, 0])
        }
        #expect(wrongSize?.code == .badTensor)
        try writer.finish()
        let existing = #expect(throws: FileError.self) { try BundleWriter(prefix: prefix) }
        #expect(existing?.code == .alreadyExists)
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
