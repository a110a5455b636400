import FixtureSupport
import Foundation
import TensorBundle
import Testing
import Verification

/// Thousands of random single-byte flips and truncations of a real TensorFlow checkpoint:
/// the verifier never crashes or hangs, always reports an error, and reports every flip in a
/// tensor's bytes against that tensor.
@Suite struct RandomCorruptionTests {
    /// A reproducible generator (SplitMix64).
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fixture = (group: "tf2_keras_adam", prefix: "ckpt-2")

    @Test func dataFlipsAreReportedAgainstTheirTensor() throws {
        let faults = FaultInjection()
        let prefix = faults.copy(Self.fixture.group) + "/" + Self.fixture.prefix
        let owners = try CheckpointBundle(prefix: prefix).summaries.map { ($0.name, $0.offset!..<($0.offset! + $0.size)) }
        let path = prefix + ".data-00000-of-00001"
        let clean = TestFiles.read(path)
        var random = SplitMix(state: 2026)
        for _ in 0..<1500 {
            let offset = Int.random(in: 0..<clean.count, using: &random)
            var bytes = clean
            bytes[offset] ^= UInt8.random(in: 1...255, using: &random)
            TestFiles.write(bytes, to: path)
            let owner = try #require(owners.first { $0.1.contains(Int64(offset)) }?.0)
            let errors = FaultInjection.errors(prefix)
            #expect(errors.contains { $0.tensor == owner && $0.code.hasPrefix("data.") }, "flip at \(offset) (\(owner)): \(errors)")
        }
    }

    /// Flips in the footer's padding are harmless to TensorFlow and reported as warnings; every
    /// other flip and every truncation is an error.
    @Test func indexFlipsAndTruncationsAreAlwaysReported() {
        let faults = FaultInjection()
        let prefix = faults.copy(Self.fixture.group) + "/" + Self.fixture.prefix
        var random = SplitMix(state: 11)
        for file in [prefix + ".index", prefix + ".data-00000-of-00001"] {
            let clean = TestFiles.read(file)
            for round in 0..<(file.hasSuffix(".index") ? 1000 : 0) {
                var bytes = clean
                bytes[Int.random(in: 0..<clean.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
                TestFiles.write(bytes, to: file)
                let findings = Verifier().verify(prefix: prefix).findings
                let padding = findings.allSatisfy { $0.code == "table.footer_padding" || $0.code == "table.noncanonical_handle" }
                #expect(!findings.isEmpty && (padding || findings.contains { $0.severity == .error }), "index flip \(round) went unnoticed")
            }
            for _ in 0..<250 {
                let length = Int.random(in: 0..<clean.count, using: &random)
                TestFiles.write(Array(clean.prefix(length)), to: file)
                #expect(!FaultInjection.errors(prefix).isEmpty, "\(file) cut to \(length) went unnoticed")
            }
            TestFiles.write(clean, to: file)
        }
    }
}
