import FixtureSupport
import Foundation
import MappedIO
import TensorBundle
import Testing

@testable import Delta

/// A (base, target) pair of fixtures; a nil base makes a delta without one.
struct DeltaPair: Sendable, CustomTestStringConvertible {
    let base: String?
    let target: String

    var testDescription: String { "\(base ?? "no base") → \(target)" }

    static let fixtures: [DeltaPair] =
        [
            DeltaPair(base: "tf2_keras_adam/ckpt-10", target: "tf2_keras_adam/ckpt-11"),
            DeltaPair(base: "tf2_keras_adam/ckpt-1", target: "tf2_keras_adam/ckpt-40"),
            DeltaPair(base: "tf1_saver/model.ckpt-40", target: "tf1_saver/model.ckpt-50"),
            DeltaPair(base: "tf1_saver/model.ckpt-50", target: "tf2_keras_adam/ckpt-40"),
            DeltaPair(base: "dtypes/zoo", target: "dtypes/zoo_b"),
            DeltaPair(base: "partitioned/tf1-partitioned", target: "partitioned/tf1-partitioned-2"),
            DeltaPair(base: "sharded_tf1/model.ckpt-1", target: "sharded_tf1/model.ckpt-2"),
            DeltaPair(base: "tf2_keras_adam/ckpt-40", target: "tf2_keras_adam/ckpt-40"),
        ] + Fixtures.allCheckpoints.map { DeltaPair(base: nil, target: $0.prefix) }
}

@Suite struct RoundTripTests {
    @Test(arguments: DeltaPair.fixtures)
    func rebuildsEveryByte(_ pair: DeltaPair) throws {
        let directory = TemporaryDirectory()
        let delta = directory.path("d.delta")
        let base = pair.base.map(Fixtures.path)
        let (created, applied) = (ProgressRecorder(), ProgressRecorder())
        var creator = DeltaCreator()
        creator.progress = created.progress
        try creator.create(base: base, target: Fixtures.path(pair.target), output: delta)
        var applier = DeltaApplier()
        applier.progress = applied.progress
        try applier.apply(delta: delta, base: base, into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(Fixtures.path(pair.target)))
        // Progress: the inputs checked and the target encoded; every byte rebuilt once.
        let dataBytes = BundleFiles.dataBytes(prefix: Fixtures.path(pair.target))
        let files = dataBytes + Int64(TestFiles.read(BundleFiles.index(prefix: Fixtures.path(pair.target))).count)
        #expect(created.done == created.planned && created.planned > dataBytes && !created.ranAhead)
        #expect(applied.done == files && applied.planned == files && !applied.ranAhead)
    }

    /// The O_DIRECT stream (here in windows of a few blocks, so that runs straddle windows
    /// and unaligned tails carry over) and plain page-cache writes rebuild the same bytes.
    @Test(arguments: [(2, 1, 0), (1, 1, 4096), (2, 2, 12288), (2, 1, 1 << 20)])
    func everyWritePathRebuildsTheSameBytes(jobs: Int, batchPerJob: Int, windowBytes: Int) throws {
        let directory = TemporaryDirectory()
        for (index, pair) in DeltaPair.fixtures.prefix(8).enumerated() {
            let delta = directory.path("d\(index)")
            let base = pair.base.map(Fixtures.path)
            var creator = DeltaCreator()
            creator.chunkBytes = 3000
            try creator.create(base: base, target: Fixtures.path(pair.target), output: delta)
            for direct in [true, false] {
                var applier = DeltaApplier()
                applier.jobs = jobs
                applier.batchPerJob = batchPerJob
                applier.windowBytes = windowBytes
                applier.directWrites = direct
                let out = directory.path("out\(index)-\(direct)")
                try applier.apply(delta: delta, base: base, into: out)
                #expect(
                    try TestFiles.contents(ofDirectory: out) == TestFiles.checkpoint(Fixtures.path(pair.target)),
                    "\(pair) direct: \(direct)")
            }
        }
    }

    /// Bytes no tensor claims (gaps, trailing bytes) come back too; tiny chunks and many
    /// workers change nothing.
    @Test func unclaimedBytesAndSmallChunks() throws {
        let directory = TemporaryDirectory()
        let folder = directory.copy(fixture: "tf2_keras_adam")
        let data = folder + "/ckpt-11.data-00000-of-00001"
        TestFiles.write(TestFiles.read(data) + Array("trailing bytes no entry claims".utf8), to: data)
        var creator = DeltaCreator()
        creator.chunkBytes = 100
        creator.jobs = 3
        try creator.create(base: folder + "/ckpt-10", target: folder + "/ckpt-11", output: directory.path("d"))
        var applier = DeltaApplier()
        applier.jobs = 3
        try applier.apply(delta: directory.path("d"), base: folder + "/ckpt-10", into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(folder + "/ckpt-11"))
    }

    /// Consecutive Keras Adam steps: weights and second moments are encoded against their Adam
    /// predictions, which makes the delta far smaller than against the base alone.
    @Test func consecutiveAdamStepsUsePredictions() throws {
        let directory = TemporaryDirectory()
        let base = Fixtures.path("tf2_keras_adam/ckpt-10")
        let target = Fixtures.path("tf2_keras_adam/ckpt-11")
        let manifest = try DeltaCreator().create(base: base, target: target, output: directory.path("d"))
        let levels = manifest.files.flatMap(\.runs).compactMap { run -> Int? in
            if case .predicted(_, _, _, let prediction, _) = run { return prediction.level }
            return nil
        }
        // Six layers; the 16-byte bias of the last one is too small for any encoding to beat storing it.
        // Second moments are rebuilt at level 1, weights (which read them) at level 2.
        #expect(levels.filter { $0 == 2 }.count >= 5)
        #expect(levels.filter { $0 == 1 }.count >= 5)
        let raw = try TestFiles.checkpoint(target).values.reduce(0) { $0 + $1.count }
        #expect(Double(try MappedFile(path: directory.path("d")).count) < 0.45 * Double(raw))
        try DeltaApplier().apply(delta: directory.path("d"), base: base, into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(target))
    }

    @Test func unchangedTensorsAreReferencesWhateverTheirName() throws {
        let directory = TemporaryDirectory()
        let manifest = try DeltaCreator().create(
            base: Fixtures.path("tf2_keras_adam/ckpt-40"), target: Fixtures.path("tf2_keras_adam/ckpt-40"), output: directory.path("d"))
        let runs = manifest.files.flatMap(\.runs)
        #expect(runs.allSatisfy { if case .copy = $0 { true } else { false } })
        #expect(try MappedFile(path: directory.path("d")).count < 2000)
    }

    /// A few scattered changes in a large tensor (a sparsely updated embedding): only the
    /// compared blocks that changed are encoded, the rest are copies of the base.
    @Test func sparseChangesEncodeOnlyTheBlocksThatChanged() throws {
        let directory = TemporaryDirectory()
        let block = DeltaCreator.comparedBlockBytes
        let count = 150_001  // float32 elements: the last block of the last chunk is partial
        let base = (0..<count * 4).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        var target = base
        // One change inside a block, one straddling two blocks, one in the last partial block.
        let changes = [block + 100, 3 * block - 2, count * 4 - 3]
        for offset in changes { target[offset] ^= 0x5a }
        target[3 * block + 1] ^= 0x01
        for (name, bytes) in [("a", base), ("b", target)] {
            var writer = try BundleWriter(prefix: directory.path(name))
            try writer.add("embedding", dtype: .float32, shape: TensorShape([Int64(count)]), bytes: bytes)
            try writer.finish()
        }
        for chunkBytes in [4 << 20, 5 * block / 2] {
            var creator = DeltaCreator()
            creator.chunkBytes = chunkBytes
            let delta = directory.path("d\(chunkBytes)")
            let manifest = try creator.create(base: directory.path("a"), target: directory.path("b"), output: delta)
            let runs = manifest.files.flatMap(\.runs).filter { $0.name == "embedding" }
            let encoded = runs.reduce(0) { total, run in
                if case .chunk(let length, _, _, _, _, _) = run { return total + length }
                return total
            }
            #expect(runs.contains { if case .copy = $0 { true } else { false } }, "chunk \(chunkBytes)")
            // Blocks 1, 2 and 3, and the last (partial) one, at most.
            #expect(encoded > 0 && encoded <= 4 * block, "chunk \(chunkBytes): \(encoded) bytes encoded")
            try DeltaApplier().apply(delta: delta, base: directory.path("a"), into: directory.path("out\(chunkBytes)"))
            #expect(try TestFiles.contents(ofDirectory: directory.path("out\(chunkBytes)")) == TestFiles.checkpoint(directory.path("b")))
        }
    }

    @Test func encodingsRoundTripOnAwkwardLengths() throws {
        // Element sizes 1, 2, 4, 8 with lengths that leave partial elements and empty tails.
        let directory = TemporaryDirectory()
        for (size, count) in [(1, 0), (2, 1), (4, 7), (8, 3), (4, 1), (2, 1000)] {
            let prefix = directory.path("p\(size)-\(count)")
            let dtype: DataType = [1: .uint8, 2: .bfloat16, 4: .float32, 8: .float64][size]!
            var writer = try BundleWriter(prefix: prefix + "a")
            let a = (0..<size * count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try writer.add("t", dtype: dtype, shape: TensorShape([Int64(count)]), bytes: a)
            try writer.finish()
            writer = try BundleWriter(prefix: prefix + "b")
            try writer.add("t", dtype: dtype, shape: TensorShape([Int64(count)]), bytes: a.map { $0 &+ 1 })
            try writer.finish()
            try DeltaCreator().create(base: prefix + "a", target: prefix + "b", output: prefix + ".delta")
            try DeltaApplier().apply(delta: prefix + ".delta", base: prefix + "a", into: prefix + "-out")
            #expect(try TestFiles.contents(ofDirectory: prefix + "-out") == TestFiles.checkpoint(prefix + "b"))
        }
    }
}
