import TensorBundle

/// Where a tensor's bytes are: in the base's or the target's data files.
public struct TensorLocation: Sendable, Hashable {
    public enum Source: UInt8, Sendable, Hashable {
        case base = 0
        case target = 1
    }

    public let source: Source
    /// Index of the data file in that side's identity.
    public let file: Int
    public let offset: Int

    func advanced(by distance: Int) -> TensorLocation {
        TensorLocation(source: source, file: file, offset: offset + distance)
    }
}

/// A target tensor to encode against an Adam prediction instead of its base bytes.
struct PlannedPrediction: Sendable {
    let kind: AdamPredictor.Kind
    /// Float32 bit patterns of the two parameters.
    let parameters: (UInt32, UInt32)
    /// The three inputs, in ``AdamPredictor/predict(_:parameters:inputs:into:)`` order.
    let inputs: [TensorLocation]
}

/// Finds which target tensors are Adam weights and second moments, by trying the predictions
/// on a sample of each candidate and keeping those that beat the base by a wide margin. Keras'
/// default β1 = 0.9, β2 = 0.999 and ε ∈ {1e-7, 1e-8} are tried; a wrong guess costs nothing
/// but the sampling, since a chunk falls back to its base when the prediction does worse.
struct PredictionPlanner {
    /// A float32 tensor present on both sides with the same size.
    struct Candidate {
        let key: [UInt8]
        let shape: [Int64]
        let size: Int
        let target: TensorLocation
        let base: TensorLocation
    }

    static let sampleElements = 512
    static let beta1: Float = 0.9
    static let beta2: Float = 0.999

    /// Reads `count` bytes at a location.
    typealias Reader = (TensorLocation, Int) -> [UInt8]

    static func plan(candidates: [Candidate], learningRate: Float?, step: Int64?, read: Reader) -> [[UInt8]: PlannedPrediction] {
        guard let learningRate, let step, step > 0 else { return [:] }
        var plans: [[UInt8]: PlannedPrediction] = [:]
        for group in Dictionary(grouping: candidates, by: \.shape).values where group.count >= 3 {
            let samples = group.map { candidate -> (base: [Float], target: [Float]) in
                let bytes = min(candidate.size, sampleElements * 4)
                return (floats(read(candidate.base, bytes)), floats(read(candidate.target, bytes)))
            }
            // Second moments: v₁ predicted from (v₀, m₀, m₁).
            var moments: [(m: Int, v: Int)] = []
            var used = Set<Int>()
            for v in group.indices where samples[v].target.allSatisfy({ $0 >= 0 }) && samples[v].base.allSatisfy({ $0 >= 0 }) {
                var best: (m: Int, bits: Double)? = nil
                for m in group.indices where m != v && !used.contains(m) {
                    let predicted = zip(zip(samples[v].base, samples[m].base), samples[m].target).map { pair, current -> Float in
                        let (v0, m0) = pair
                        let gradient = (current - m0) / (1 - beta1) + m0
                        return v0 + (gradient * gradient - v0) * (1 - beta2)
                    }
                    let bits = residualBits(predicted, samples[v].target)
                    if best == nil || bits < best!.bits { best = (m, bits) }
                }
                if let best, best.bits < 0.6 * residualBits(samples[v].base, samples[v].target) {
                    moments.append((best.m, v))
                    used.insert(best.m)
                    used.insert(v)
                    plans[group[v].key] = PlannedPrediction(
                        kind: .secondMoment, parameters: ((1 - beta1).bitPattern, (1 - beta2).bitPattern),
                        inputs: [group[v].base, group[best.m].base, group[best.m].target])
                }
            }
            // Weights: w₁ predicted from (w₀, m₁, v₁).
            let alphas = AdamPredictor.alphas(learningRate: learningRate, step: step, beta1: beta1, beta2: beta2)
            for w in group.indices where !used.contains(w) {
                var best: (moment: Int, alpha: Float, epsilon: Float, bits: Double)? = nil
                for (index, moment) in moments.enumerated() {
                    for alpha in alphas {
                        for epsilon: Float in [1e-7, 1e-8] {
                            let predicted = zip(zip(samples[w].base, samples[moment.m].target), samples[moment.v].target).map { pair, v1 -> Float in
                                pair.0 - (pair.1 * alpha) / (v1.squareRoot() + epsilon)
                            }
                            let bits = residualBits(predicted, samples[w].target)
                            if best == nil || bits < best!.bits { best = (index, alpha, epsilon, bits) }
                        }
                    }
                }
                guard let best, best.bits < 0.5 * residualBits(samples[w].base, samples[w].target) else { continue }
                let moment = moments[best.moment]
                plans[group[w].key] = PlannedPrediction(
                    kind: .weight, parameters: (best.alpha.bitPattern, best.epsilon.bitPattern),
                    inputs: [group[w].base, group[moment.m].target, group[moment.v].target])
            }
        }
        return plans
    }

    /// The mean number of significant bits in the bit-pattern differences: what a residual costs.
    static func residualBits(_ predicted: [Float], _ actual: [Float]) -> Double {
        guard !actual.isEmpty else { return 0 }
        let total = zip(predicted, actual).reduce(0.0) { sum, pair in
            let difference = Int64(pair.1.bitPattern) - Int64(pair.0.bitPattern)
            return sum + Double(64 - difference.magnitude.leadingZeroBitCount)
        }
        return total / Double(actual.count)
    }

    static func floats(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
