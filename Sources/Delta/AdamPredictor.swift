import Glibc
import TensorBundle

/// Predicts tensors of a checkpoint one Adam step after its base, so that only the small
/// residual has to be stored.
///
/// Keras' Adam (TensorFlow backend) updates, for gradient g at step t:
/// `m += (g − m)(1 − β1)`, `v += (g² − v)(1 − β2)`, `w −= m·α / (√v + ε)` with
/// `α = lr·√(1 − β2^t) / (1 − β1^t)`. Given the base (w₀, m₀, v₀) and the target's m₁:
/// the gradient is recovered as `g ≈ (m₁ − m₀)/(1 − β1) + m₀`, which predicts v₁; and
/// with v₁ the weight `w₁ = w₀ − m₁·α / (√v₁ + ε)` is predicted exactly when α and ε match.
/// All arithmetic is IEEE float32 with the constants stored in the delta, so create and
/// apply compute bit-identical predictions on any machine.
public enum AdamPredictor {
    /// What a prediction is of.
    public enum Kind: UInt8, Sendable, Hashable {
        /// v₁ from v₀, m₀, m₁ (parameters 1 − β1, 1 − β2).
        case secondMoment = 1
        /// w₁ from w₀, m₁, v₁ (parameters α, ε).
        case weight = 2
    }

    /// w₁ = w₀ − m₁·α / (√v₁ + ε), element by element.
    static func predictWeight(
        w0: UnsafeRawBufferPointer, m1: UnsafeRawBufferPointer, v1: UnsafeRawBufferPointer, alpha: Float, epsilon: Float,
        into output: UnsafeMutableRawBufferPointer
    ) {
        for index in 0..<(output.count / 4) {
            let w = load(w0, index), m = load(m1, index), v = load(v1, index)
            store(w - (m * alpha) / (v.squareRoot() + epsilon), output, index)
        }
    }

    /// v₁ = v₀ + (g² − v₀)(1 − β2) with g = (m₁ − m₀)/(1 − β1) + m₀.
    static func predictSecondMoment(
        v0: UnsafeRawBufferPointer, m0: UnsafeRawBufferPointer, m1: UnsafeRawBufferPointer, oneMinusBeta1: Float,
        oneMinusBeta2: Float, into output: UnsafeMutableRawBufferPointer
    ) {
        for index in 0..<(output.count / 4) {
            let v = load(v0, index), previous = load(m0, index), current = load(m1, index)
            let gradient = (current - previous) / oneMinusBeta1 + previous
            store(v + (gradient * gradient - v) * oneMinusBeta2, output, index)
        }
    }

    /// Runs the prediction of `kind` with its two parameters and three inputs.
    static func predict(
        _ kind: Kind, parameters: (Float, Float), inputs: [UnsafeRawBufferPointer], into output: UnsafeMutableRawBufferPointer
    ) {
        switch kind {
        case .weight:
            predictWeight(w0: inputs[0], m1: inputs[1], v1: inputs[2], alpha: parameters.0, epsilon: parameters.1, into: output)
        case .secondMoment:
            predictSecondMoment(v0: inputs[0], m0: inputs[1], m1: inputs[2], oneMinusBeta1: parameters.0, oneMinusBeta2: parameters.1,
                                into: output)
        }
    }

    @inline(__always)
    private static func load(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
    }

    @inline(__always)
    private static func store(_ value: Float, _ bytes: UnsafeMutableRawBufferPointer, _ index: Int) {
        bytes.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
    }

    /// The candidate α values for a learning rate and step: float32 and double evaluations of
    /// Keras' formula (the one that reproduces the checkpoint is kept).
    static func alphas(learningRate: Float, step: Int64, beta1: Float, beta2: Float) -> [Float] {
        let t = Float(step)
        let single = learningRate * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        let double = Float(Double(learningRate) * (1 - pow(Double(beta2), Double(step))).squareRoot() / (1 - pow(Double(beta1), Double(step))))
        return single == double ? [single] : [single, double]
    }
}
