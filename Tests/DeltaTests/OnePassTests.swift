import FixtureSupport
import MappedIO
import TensorBundle
import Testing

@testable import Delta

/// The target is verified and hashed while it is encoded, the check a bounded distance ahead:
/// on a target of several of the check's stretches, with the smallest lead (each side waits on
/// the other), the delta still rebuilds the target byte for byte, and damage the check finds
/// after most of the target is encoded leaves nothing at the output.
@Suite(.timeLimit(.minutes(1))) struct OnePassTests {
    let directory = TemporaryDirectory()
    /// Three and a half of the check's 16 MiB stretches, as float32 elements.
    let count = 7 * FileDigest.evictedBytes / 8

    func write(_ name: String, flipping offsets: [Int] = []) throws -> [UInt8] {
        var bytes = (0..<count * 4).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 11) }
        for offset in offsets { bytes[offset] ^= 0x20 }
        var writer = try BundleWriter(prefix: directory.path(name))
        try writer.add("layer/kernel", dtype: .float32, shape: TensorShape([Int64(count)]), bytes: bytes)
        try writer.finish()
        return bytes
    }

    var creator: DeltaCreator {
        var creator = DeltaCreator()
        creator.chunkBytes = 1 << 20
        creator.checkLead = 1
        return creator
    }

    @Test func aPacedCheckStillRebuildsTheTarget() throws {
        _ = try write("a")
        _ = try write("b", flipping: Array(stride(from: 5, to: count * 4, by: 1 << 20)))
        let manifest = try creator.create(base: directory.path("a"), target: directory.path("b"), output: directory.path("d"))
        #expect(manifest.target == (try creator.identity(hashing: directory.path("b"))))
        try DeltaApplier().apply(delta: directory.path("d"), base: directory.path("a"), into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(directory.path("b")))
    }

    @Test func damageFoundLateLeavesNoOutput() throws {
        _ = try write("a")
        let bytes = try write("b")
        var damaged = bytes
        damaged[damaged.count - 3] ^= 0x01
        TestFiles.write(damaged, to: directory.path("b.data-00000-of-00001"))
        let refused = #expect(throws: DeltaError.self) {
            try creator.create(base: directory.path("a"), target: directory.path("b"), output: directory.path("d"))
        }
        #expect(refused?.code == .damagedInput)
        #expect(!FileSystem.exists(directory.path("d")))
        // Nothing left behind: no temporary file of the output either.
        let left = try FileSystem.contents(ofDirectory: directory.path).sorted()
        #expect(left == ["a.data-00000-of-00001", "a.index", "b.data-00000-of-00001", "b.index"], "\(left)")
    }
}
