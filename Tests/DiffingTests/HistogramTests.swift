import Diffing
import FixtureSupport
import Foundation
import TensorBundle
import Testing

@Suite struct HistogramTests {
    /// Every sampled difference lands in one bin; the extremes land in the outer bins.
    @Test func countsEveryFiniteDifferenceOnce() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        let b = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-40"))
        let key = Array("optimizer/_trainable_variables/2/.ATTRIBUTES/VARIABLE_VALUE".utf8)
        let values = { (bundle: CheckpointBundle) -> [Float] in
            guard case .fixed(let bytes) = try bundle.value(forKey: key).contents else { return [] }
            return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        let differences = zip(try values(a), try values(b)).map { Double($1) - Double($0) }
        let limit = differences.map(abs).max()!
        let histogram = try #require(DifferenceHistogram.make(aKey: key, bKey: key, a: a, b: b, limit: limit, bins: 9))
        #expect(histogram.total == differences.count && histogram.sampled == differences.count)
        #expect(histogram.counts.reduce(0, +) == differences.count)
        var expected = [Int](repeating: 0, count: 9)
        for d in differences { expected[min(8, max(0, Int(((d + limit) / (2 * limit) * 9).rounded(.down))))] += 1 }
        #expect(histogram.counts == expected)
        let sampled = try #require(DifferenceHistogram.make(aKey: key, bKey: key, a: a, b: b, limit: limit, samples: 100))
        #expect(sampled.sampled == 103 && sampled.counts.reduce(0, +) == 103)  // every 20th of 2,048
        #expect(DifferenceHistogram.make(aKey: key, bKey: key, a: a, b: b, limit: 0) == nil)
        #expect(
            DifferenceHistogram.make(
                aKey: Array("save_counter/.ATTRIBUTES/VARIABLE_VALUE".utf8), bKey: Array("save_counter/.ATTRIBUTES/VARIABLE_VALUE".utf8),
                a: a, b: b, limit: 1) != nil)
        #expect(
            DifferenceHistogram.make(
                aKey: Array("_CHECKPOINTABLE_OBJECT_GRAPH".utf8), bKey: Array("_CHECKPOINTABLE_OBJECT_GRAPH".utf8), a: a, b: b, limit: 1)
                == nil)
    }
}
