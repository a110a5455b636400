import TensorBundle

/// A histogram of b − a over evenly spaced elements of one variable, for pictures of a diff.
public struct DifferenceHistogram: Sendable, Hashable {
    /// Counts of b − a in equal bins spanning `-limit...limit`; pairs with NaN or ±Inf on either
    /// side are left out.
    public let counts: [Int]
    public let limit: Double
    /// Elements read (evenly spaced) of the variable's `total`.
    public let sampled: Int
    public let total: Int

    /// The histogram of a variable stored under `aKey` in A and `bKey` in B, whole (not
    /// partitioned) with the same numeric dtype and shape, over at most `samples` elements;
    /// `limit` is the largest |b − a| (from the diff's statistics). Nil when the variable is
    /// not such a pair, the limit is not positive, or its bytes cannot be read.
    public static func make(
        aKey: [UInt8], bKey: [UInt8], a: CheckpointBundle, b: CheckpointBundle, limit: Double, bins: Int = 41, samples: Int = 100_000
    ) -> DifferenceHistogram? {
        guard limit > 0, limit.isFinite, bins > 0, samples > 0,
            let entryA = try? a.entry(forKey: aKey), let entryB = try? b.entry(forKey: bKey),
            !entryA.isPartitioned, !entryB.isPartitioned, entryA.dtype == entryB.dtype, entryA.shape == entryB.shape,
            entryA.size == entryB.size, let kind = ElementKind(entryA.dtype)
        else { return nil }
        return kind.accept(
            Sampling(aKey: aKey, bKey: bKey, entryA: entryA, entryB: entryB, a: a, b: b, limit: limit, bins: bins, samples: samples))
            ?? nil
    }

    /// Bins b − a of evenly spaced elements.
    private struct Sampling: ElementVisitor {
        let aKey: [UInt8]
        let bKey: [UInt8]
        let entryA: BundleEntry
        let entryB: BundleEntry
        let a: CheckpointBundle
        let b: CheckpointBundle
        let limit: Double
        let bins: Int
        let samples: Int

        func visit<Decoder: ElementDecoder>(_ decoder: Decoder, stride: Int) -> DifferenceHistogram? {
            let total = Int(entryA.size) / stride
            let step = max(1, total / samples)
            var counts = [Int](repeating: 0, count: bins)
            var sampled = 0
            let read: Void? = try? a.withStoredBytes(of: entryA, key: aKey) { (bytesA) throws(TensorError) in
                try b.withStoredBytes(of: entryB, key: bKey) { (bytesB) throws(TensorError) in
                    var index = 0
                    while index < total {
                        let difference = decoder.value(bytesB, index) - decoder.value(bytesA, index)
                        sampled += 1
                        if difference.isFinite {
                            let position = Int(((difference + limit) / (2 * limit) * Double(bins)).rounded(.down))
                            counts[min(bins - 1, max(0, position))] += 1
                        }
                        index += step
                    }
                }
            }
            guard read != nil else { return nil }
            return DifferenceHistogram(counts: counts, limit: limit, sampled: sampled, total: total)
        }
    }
}
