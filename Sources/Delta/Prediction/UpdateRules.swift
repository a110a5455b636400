import Glibc

/// The update rules of the optimizers TensorFlow models are trained with: Keras 3 (TensorFlow
/// backend) SGD with momentum and Nesterov, RMSprop (plain, momentum, centered), Adagrad, Adam,
/// AdamW, Adamax, Nadam and Lion; `tf.compat.v1.train` Momentum, Adagrad, RMSProp and Adam.
/// Keras' loss scaling changes nothing here: its inner optimizer's slots update as usual.
///
/// Each program follows the optimizer's own code operation by operation (the same float32
/// roundings in the same order), so predictions are exact wherever the inputs determine the
/// result; where a quantity has to be solved for (a gradient from a moment, a second moment
/// from a weight's step), the prediction is close and the residual small.
enum UpdateRules {
    static let all: [UpdateRule] = [
        sgdMomentum, sgdNesterov, lion, tf1Momentum,
        rmsprop, rmspropMomentum(.keras), rmspropMomentum(.tf1), rmspropCentered, rmspropCenteredMomentum,
        adagrad,
        adam(first: "momentum", second: "velocity", name: "Keras Adam/AdamW"), adam(first: "m", second: "v", name: "TF1 Adam"),
        nadam, adamax,
    ]

    // MARK: SGD and relatives: one slot, linear in the gradient, stored.

    /// Keras SGD with momentum: `m₁ = m₀·μ − g·lr`, `w₁ = w₀ + m₁`.
    static let sgdMomentum = UpdateRule(
        name: "Keras SGD with momentum", slots: ["momentum"],
        steps: [
            .init(predicts: nil, level: 1) { _, _ in [build { b in b.input(.weight(.base)) + b.input(.slot("momentum", .target)) }] }
        ])

    /// Keras SGD with Nesterov momentum: `w₁ = w₀ + (m₁·μ − g·lr)`, where `g·lr = m₀·μ − m₁`.
    static let sgdNesterov = UpdateRule(
        name: "Keras SGD with Nesterov momentum", slots: ["momentum"],
        steps: [
            .init(predicts: nil, level: 1) { _, _ in
                momenta.map { mu in
                    build { b in
                        let m0 = b.input(.slot("momentum", .base)), m1 = b.input(.slot("momentum", .target))
                        let step = m0 * mu - m1
                        return b.input(.weight(.base)) + (m1 * mu - step)
                    }
                }
            }
        ])

    /// Keras Lion: `w₁ = w₀ − lr·sign(m₀·β1 + g·(1 − β1))`, `m₁ = m₀·β2 + g·(1 − β2)`; every
    /// weight that moves moves by the rate.
    static let lion = UpdateRule(
        name: "Keras Lion", slots: ["momentum"],
        steps: [
            .init(predicts: nil, level: 1) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
                // |w₀ − w₁| is the rate up to w₁'s rounding: smallest where the weights are.
                let estimate = samples.median(leastError: { max(abs(w0[$0]), abs(w1[$0])) }) { abs(Double(w0[$0]) - Double(w1[$0])) }
                return cartesian(rates(context, estimate: estimate), [(Float(0.9), Float(0.99)), (0.95, 0.98)]) { lr, betas in
                    build { b in
                        let m0 = b.input(.slot("momentum", .base)), m1 = b.input(.slot("momentum", .target))
                        let gradient = (m1 - m0 * betas.1) / (1 - betas.1)
                        let update = m0 * betas.0 + gradient * (1 - betas.0)
                        return b.input(.weight(.base)) - lr * update.sign
                    }
                }
            }
        ])

    /// TF1 `MomentumOptimizer` (`ApplyMomentum`): `a₁ = a₀·μ + g`, `w₁ = w₀ − a₁·lr`; the
    /// learning rate is not saved, so it is estimated from the step.
    static let tf1Momentum = UpdateRule(
        name: "TF1 Momentum", slots: ["momentum"],
        steps: [
            .init(predicts: nil, level: 1) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)], a1 = samples[.slot("momentum", .target)]
                let estimate = samples.median { Double(w0[$0] - w1[$0]) / Double(a1[$0]) }
                return rates(context, estimate: estimate).map { lr in
                    build { b in b.input(.weight(.base)) - b.input(.slot("momentum", .target)) * lr }
                }
            }
        ])

    // MARK: RMSprop and Adagrad: the weight (or the momentum) is stored, the squares solved for.

    /// The second moment from the step it produced: `s₁ = (s₀·r + k·ε) / (1 − k)` with
    /// `k = c·(step/lr)²`, the solution of `s₁ = s₀·r + c·g²`, `step = lr·g / √(s₁ + ε)`.
    private static func secondMoment(
        _ b: ProgramBuilder<GroupTensor>, previous: ProgramExpression<GroupTensor>, step: ProgramExpression<GroupTensor>,
        lr: Float, keep: Float?, fresh: Float, epsilon: Float
    ) -> ProgramExpression<GroupTensor> {
        let scaled = step / lr
        let k = scaled * scaled * fresh
        let kept = keep.map { previous * $0 } ?? previous
        return (kept + k * epsilon) / (1 - k)
    }

    /// The learning rate of an RMSprop step, estimated from the samples: `lr·|g| = |step|·√(s₁ + ε)`
    /// with `g² = (s₁ − s₀·ρ) / (1 − ρ)`, `step` the change the rate scaled (`step(i)`).
    private static func rmspropRate(
        _ samples: GroupSamples, square: String, rho: Float, epsilon: Float, step: (Int) -> Double
    ) -> Double? {
        let s0 = samples[.slot(square, .base)], s1 = samples[.slot(square, .target)]
        return samples.median { i in
            let gradientSquare = (Double(s1[i]) - Double(s0[i]) * Double(rho)) / (1 - Double(rho))
            return gradientSquare > 0 ? abs(step(i)) * (Double(s1[i]) + Double(epsilon)).squareRoot() / gradientSquare.squareRoot() : .nan
        }
    }

    /// Keras RMSprop: `v₁ = ρ·v₀ + (1 − ρ)·g²`, `w₁ = w₀ − lr·g / √(v₁ + ε)`; v₁ from the weight's step.
    static let rmsprop = UpdateRule(
        name: "Keras RMSprop", slots: ["velocity"],
        steps: [
            .init(predicts: "velocity", level: 1) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
                return rhos.flatMap { rho in
                    let estimate = rmspropRate(samples, square: "velocity", rho: rho, epsilon: 1e-7) { Double(w0[$0]) - Double(w1[$0]) }
                    return rates(context, estimate: estimate).map { lr in
                        build { b in
                            let step = b.input(.weight(.base)) - b.input(.weight(.target))
                            return secondMoment(
                                b, previous: b.input(.slot("velocity", .base)), step: step, lr: lr, keep: rho,
                                fresh: complement(rho, .keras), epsilon: 1e-7)
                        }
                    }
                }
            }
        ])

    /// Where Keras' RMSprop and TF1's `ApplyRMSProp` differ: the mean square's slot name, the
    /// default ε and the order of the mean square's update (`ρ·s₀ + (1 − ρ)·g²` against
    /// `s₀ + (g² − s₀)(1 − ρ)`); TF1 does not save its learning rate either.
    enum Framework {
        case keras, tf1

        var meanSquare: String { self == .keras ? "velocity" : "rms" }
        var epsilon: Float { self == .keras ? 1e-7 : 1e-10 }
        var name: String { self == .keras ? "Keras RMSprop with momentum" : "TF1 RMSProp" }
    }

    /// RMSprop with momentum, Keras' and TF1's: `mom₁ = μ·mom₀ + lr·g / √(s₁ + ε)`,
    /// `w₁ = w₀ − mom₁`; the momentum is stored.
    static func rmspropMomentum(_ framework: Framework) -> UpdateRule {
        let square = framework.meanSquare, epsilon = framework.epsilon
        return UpdateRule(
            name: framework.name, slots: [square, "momentum"],
            steps: [
                weightAfterMomentum(level: 1),
                .init(predicts: square, level: 1) { context, samples in
                    let mom0 = samples[.slot("momentum", .base)], mom1 = samples[.slot("momentum", .target)]
                    var candidates: [CandidateProgram] = []
                    for mu in momenta + [0] {
                        for rho in rhos {
                            let fresh = complement(rho, framework)
                            let estimate = rmspropRate(samples, square: square, rho: rho, epsilon: epsilon) { i in
                                Double(mom1[i]) - Double(mom0[i]) * Double(mu)
                            }
                            for lr in rates(context, estimate: estimate) {
                                candidates.append(
                                    build { b in
                                        let step = b.input(.slot("momentum", .target)) - b.input(.slot("momentum", .base)) * mu
                                        let previous = b.input(.slot(square, .base))
                                        let kept = framework == .keras ? previous * rho : previous - previous * fresh
                                        return secondMoment(
                                            b, previous: kept, step: step, lr: lr, keep: nil, fresh: fresh, epsilon: epsilon)
                                    })
                            }
                        }
                    }
                    return candidates
                },
            ])
    }

    /// RMSprop's weight when it keeps a momentum: `w₁ = w₀ − mom₁`, exactly.
    private static func weightAfterMomentum(level: Int) -> UpdateRule.Step {
        .init(predicts: nil, level: level) { _, _ in
            [build { b in b.input(.weight(.base)) - b.input(.slot("momentum", .target)) }]
        }
    }

    /// The learning rate of a centered RMSprop step, estimated from the samples:
    /// `lr = increment·√((v₁ − ḡ₁²) + ε) / g`, `increment(i)` the change the rate scaled.
    private static func centeredRate(_ samples: GroupSamples, rho: Float, increment: (Int) -> Double) -> Double? {
        let average0 = samples[.slot("average_gradient", .base)], average1 = samples[.slot("average_gradient", .target)]
        let v1 = samples[.slot("velocity", .target)]
        return samples.median { i in
            let gradient = (Double(average1[i]) - Double(rho) * Double(average0[i])) / (1 - Double(rho))
            let square = Double(v1[i]) - Double(average1[i]) * Double(average1[i]) + 1e-7
            return square > 0 ? increment(i) * square.squareRoot() / gradient : .nan
        }
    }

    /// The gradient of centered RMSprop from its stored average: `ḡ₁ = ρ·ḡ₀ + (1 − ρ)·g`.
    private static func centeredGradient(_ b: ProgramBuilder<GroupTensor>, rho: Float) -> ProgramExpression<GroupTensor> {
        (b.input(.slot("average_gradient", .target)) - rho * b.input(.slot("average_gradient", .base))) / complement(rho, .keras)
    }

    /// The increment of centered RMSprop: `lr·g / √((v₁ − ḡ₁²) + ε)`.
    private static func centeredIncrement(_ b: ProgramBuilder<GroupTensor>, rho: Float, lr: Float) -> ProgramExpression<GroupTensor> {
        let gradient = centeredGradient(b, rho: rho)
        let average = b.input(.slot("average_gradient", .target))
        return (lr * gradient) / ((b.input(.slot("velocity", .target)) - average * average) + 1e-7).squareRoot()
    }

    /// The velocity of centered RMSprop from the gradient its stored average gives.
    private static let centeredVelocity = UpdateRule.Step(predicts: "velocity", level: 1) { _, _ in
        rhos.map { rho in
            build { b in
                let gradient = centeredGradient(b, rho: rho)
                return rho * b.input(.slot("velocity", .base)) + complement(rho, .keras) * (gradient * gradient)
            }
        }
    }

    /// Keras RMSprop, centered: the average gradient is stored.
    static let rmspropCentered = UpdateRule(
        name: "Keras RMSprop, centered", slots: ["velocity", "average_gradient"],
        steps: [
            centeredVelocity,
            .init(predicts: nil, level: 2) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
                return rhos.flatMap { rho in
                    let estimate = centeredRate(samples, rho: rho) { Double(w0[$0]) - Double(w1[$0]) }
                    return rates(context, estimate: estimate).map { lr in
                        build { b in b.input(.weight(.base)) - centeredIncrement(b, rho: rho, lr: lr) }
                    }
                }
            },
        ])

    /// Keras RMSprop, centered, with momentum.
    static let rmspropCenteredMomentum = UpdateRule(
        name: "Keras RMSprop, centered, with momentum", slots: ["velocity", "average_gradient", "momentum"],
        steps: [
            centeredVelocity,
            .init(predicts: "momentum", level: 2) { context, samples in
                let mom0 = samples[.slot("momentum", .base)], mom1 = samples[.slot("momentum", .target)]
                return cartesian(rhos, momenta) { ($0, $1) }.flatMap { rho, mu in
                    let estimate = centeredRate(samples, rho: rho) { Double(mom1[$0]) - Double(mu) * Double(mom0[$0]) }
                    return rates(context, estimate: estimate).map { lr in
                        build { b in mu * b.input(.slot("momentum", .base)) + centeredIncrement(b, rho: rho, lr: lr) }
                    }
                }
            },
            weightAfterMomentum(level: 3),
        ])

    /// Adagrad, Keras' (`a₁ = a₀ + g²`, `w₁ = w₀ − lr·g / √(a₁ + ε)`) and TF1's (`ApplyAdagrad`,
    /// ε = 0); the accumulator from the weight's step. TF1 does not save its learning rate:
    /// it is estimated from `g² = a₁ − a₀`.
    static let adagrad = UpdateRule(
        name: "Adagrad", slots: ["accumulator"],
        steps: [
            .init(predicts: "accumulator", level: 1) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
                let a0 = samples[.slot("accumulator", .base)], a1 = samples[.slot("accumulator", .target)]
                let estimate = samples.median { i in
                    let square = Double(a1[i]) - Double(a0[i])
                    return square > 0 ? abs(Double(w0[i] - w1[i])) * Double(a1[i]).squareRoot() / square.squareRoot() : .nan
                }
                return cartesian(rates(context, estimate: estimate), [Float(1e-7), 0]) { lr, epsilon in
                    build { b in
                        let step = b.input(.weight(.base)) - b.input(.weight(.target))
                        return secondMoment(
                            b, previous: b.input(.slot("accumulator", .base)), step: step, lr: lr, keep: nil, fresh: 1,
                            epsilon: epsilon)
                    }
                }
            }
        ])

    // MARK: Adam and relatives: the first moment is stored; the gradient follows from it.

    /// The gradient from Adam's stored first moment: `m₁ = m₀ + (g − m₀)·c₁` solved for g.
    private static func adamGradient<Source>(
        m0: ProgramExpression<Source>, m1: ProgramExpression<Source>, oneMinusBeta1: Float
    )
        -> ProgramExpression<Source>
    {
        (m1 - m0) / oneMinusBeta1 + m0
    }

    /// ``adamGradient(m0:m1:oneMinusBeta1:)`` from the slot `first` of a group.
    private static func adamGradient(
        _ b: ProgramBuilder<GroupTensor>, first: String, oneMinusBeta1: Float
    ) -> ProgramExpression<GroupTensor> {
        adamGradient(m0: b.input(.slot(first, .base)), m1: b.input(.slot(first, .target)), oneMinusBeta1: oneMinusBeta1)
    }

    /// `v₁ = v₀ + (g² − v₀)·c₂` over `(v₀, m₀, m₁)`: Adam's second moment (delta format run kind 2, kind 1).
    static func adamSecondMoment<Source>(
        v0: ProgramExpression<Source>, m0: ProgramExpression<Source>, m1: ProgramExpression<Source>, oneMinusBeta1: Float,
        oneMinusBeta2: Float
    ) -> ProgramExpression<Source> {
        let gradient = adamGradient(m0: m0, m1: m1, oneMinusBeta1: oneMinusBeta1)
        return v0 + (gradient * gradient - v0) * oneMinusBeta2
    }

    /// `w₁ = w₀ − (m₁·α) / (√v₁ + ε)`: Adam's weight (delta format run kind 2, kind 2).
    static func adamWeight<Source>(
        _ w0: ProgramExpression<Source>, m1: ProgramExpression<Source>, v1: ProgramExpression<Source>, alpha: Float, epsilon: Float
    ) -> ProgramExpression<Source> {
        w0 - (m1 * alpha) / (v1.squareRoot() + epsilon)
    }

    /// Keras Adam, AdamW (decay `w − (w·wd)·lr` first) and TF1 `AdamOptimizer` (`ApplyAdam`).
    /// α = lr·√(1 − β2ᵗ) / (1 − β1ᵗ) comes from the saved learning rate and step (Keras at a
    /// constant rate), from the weight's step (Keras under a schedule, whose rate is not saved)
    /// or from the saved `beta1_power`, `beta2_power` and an estimated learning rate (TF1).
    static func adam(first: String, second: String, name: String) -> UpdateRule {
        UpdateRule(
            name: name, slots: [first, second],
            steps: [
                adamSecondMomentStep(first: first, second: second),
                .init(predicts: nil, level: 2) { context, samples in
                    adamUpdates(context, samples, first: first, second: second).map { update in
                        build { b in
                            var w0 = b.input(.weight(.base))
                            if let decay = update.decay { w0 = w0 - (w0 * decay.rate) * decay.lr }
                            return adamWeight(
                                w0, m1: b.input(.slot(first, .target)), v1: b.input(.slot(second, .target)), alpha: update.alpha,
                                epsilon: update.epsilon)
                        }
                    }
                },
            ])
    }

    /// One step of Adam's weight update: its α and ε and, for AdamW, the decoupled decay's rate and lr.
    private struct AdamUpdate {
        let alpha: Float
        let epsilon: Float
        let decay: (rate: Float, lr: Float)?
    }

    /// AdamW's decay rates: Keras' default, then those large models are trained with.
    static let weightDecays: [Float] = [0.004, 0.01, 0.05, 0.1]

    /// The updates Adam's weight step may have made, from the optimizer's scalars and the samples.
    private static func adamUpdates(_ context: RuleContext, _ samples: GroupSamples, first: String, second: String) -> [AdamUpdate] {
        let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
        let m1 = samples[.slot(first, .target)], v1 = samples[.slot(second, .target)]
        let powers = Array(zip(context.floats("beta1_power", .base), context.floats("beta2_power", .base)))
        var updates: [AdamUpdate] = []
        for epsilon: Float in [1e-7, 1e-8] {
            /// `m₁ / (√v₁ + ε)`: what the weight moves along.
            func direction(_ i: Int) -> Double { Double(m1[i]) / (Double(v1[i]).squareRoot() + Double(epsilon)) }
            // TF1 saves β1ᵗ and β2ᵗ, never its rate: α = lr·√(1 − β2ᵗ) / (1 − β1ᵗ), lr from the step.
            for (power1, power2) in powers {
                let correction = Double((1 - power2).squareRoot()) / Double(1 - power1)
                let estimate = samples.median { i in (Double(w0[i]) - Double(w1[i])) / (correction * direction(i)) }
                for lr in nearby(estimate) {
                    updates.append(AdamUpdate(alpha: lr * (1 - power2).squareRoot() / (1 - power1), epsilon: epsilon, decay: nil))
                }
            }
            guard powers.isEmpty else { continue }
            // Keras computes α from the rate (saved, or a schedule's) and the step.
            for (beta1, beta2) in betas {
                for t in context.steps {
                    let correction = (1 - pow(Double(beta2), Double(t))).squareRoot() / (1 - pow(Double(beta1), Double(t)))
                    for decay in [0] + weightDecays {
                        // w₀ − w₁ = lr·(w₀·wd + c·m₁ / (√v₁ + ε)).
                        let estimate = samples.median { i in
                            (Double(w0[i]) - Double(w1[i])) / (Double(w0[i]) * Double(decay) + correction * direction(i))
                        }
                        for lr in rates(context, estimate: estimate) {
                            for alpha in adamAlphas(lr: lr, step: t, beta1: beta1, beta2: beta2) {
                                updates.append(AdamUpdate(alpha: alpha, epsilon: epsilon, decay: decay == 0 ? nil : (decay, lr)))
                            }
                        }
                    }
                }
            }
        }
        return updates
    }

    /// The second moment of Adam and of its relatives (Nadam): from the stored first moment.
    static func adamSecondMomentStep(first: String, second: String) -> UpdateRule.Step {
        .init(predicts: second, level: 1) { _, _ in
            betas.flatMap { beta1, beta2 in
                zip(complements(beta1), complements(beta2)).map { oneMinusBeta1, oneMinusBeta2 in
                    build { b in
                        adamSecondMoment(
                            v0: b.input(.slot(second, .base)), m0: b.input(.slot(first, .base)), m1: b.input(.slot(first, .target)),
                            oneMinusBeta1: oneMinusBeta1, oneMinusBeta2: oneMinusBeta2)
                    }
                }
            }
        }
    }

    /// α for Keras' Adam at step t, evaluated in float32 (as Keras does) and in double.
    static func adamAlphas(lr: Float, step: Int64, beta1: Float, beta2: Float) -> [Float] {
        let single = lr * (1 - powf(beta2, Float(step))).squareRoot() / (1 - powf(beta1, Float(step)))
        let double = Float(Double(lr) * (1 - pow(Double(beta2), Double(step))).squareRoot() / (1 - pow(Double(beta1), Double(step))))
        return single == double ? [single] : [single, double]
    }

    /// Keras Nadam: Adam's moments, the weight from a momentum schedule and the saved `_u_product`.
    static let nadam = UpdateRule(
        name: "Keras Nadam", slots: ["momentum", "velocity"],
        steps: [
            adamSecondMomentStep(first: "momentum", second: "velocity"),
            .init(predicts: nil, level: 2) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
                let m0 = samples[.slot("momentum", .base)], m1 = samples[.slot("momentum", .target)]
                let v1 = samples[.slot("velocity", .target)]
                var candidates: [CandidateProgram] = []
                for t in context.steps {
                    for product in context.floats("u_product", .target) {
                        for (beta1, beta2) in betas {
                            let decayPower = powf(0.96, Float(t)), nextPower = powf(0.96, Float(t + 1))
                            let u = beta1 * (1 - 0.5 * decayPower), next = beta1 * (1 - 0.5 * nextPower)
                            let nextProduct = product * next
                            let secondCorrection = 1 - powf(beta2, Float(t))
                            // lr = (w₀ − w₁)·(√v̂ + ε) / m̂, where the rate is not saved (a schedule's).
                            let estimate = samples.median { i in
                                let gradient = (Double(m1[i]) - Double(m0[i])) / (1 - Double(beta1)) + Double(m0[i])
                                let mHat =
                                    Double(next) * Double(m1[i]) / (1 - Double(nextProduct)) + (1 - Double(u)) * gradient
                                    / (1 - Double(product))
                                let vHat = Double(v1[i]) / Double(secondCorrection)
                                return (Double(w0[i]) - Double(w1[i])) * (vHat.squareRoot() + 1e-7) / mHat
                            }
                            for lr in rates(context, estimate: estimate) {
                                candidates.append(
                                    build { b in
                                        let gradient = adamGradient(b, first: "momentum", oneMinusBeta1: complement(beta1, .tf1))
                                        let m1 = b.input(.slot("momentum", .target))
                                        let mHat = (next * m1) / (1 - nextProduct) + ((1 - u) * gradient) / (1 - product)
                                        let vHat = b.input(.slot("velocity", .target)) / secondCorrection
                                        return b.input(.weight(.base)) - (mHat * lr) / (vHat.squareRoot() + 1e-7)
                                    })
                            }
                        }
                    }
                }
                return candidates
            },
        ])

    /// Keras Adamax: `u₁ = max(β2·u₀, |g|)`, `w₁ = w₀ − lr·m₁ / ((1 − β1ᵗ)·(u₁ + ε))`.
    static let adamax = UpdateRule(
        name: "Keras Adamax", slots: ["momentum", "norm"],
        steps: [
            .init(predicts: "norm", level: 1) { _, _ in
                betas.map { beta1, beta2 in
                    build { b in
                        let gradient = adamGradient(b, first: "momentum", oneMinusBeta1: complement(beta1, .keras))
                        return (beta2 * b.input(.slot("norm", .base))).maximum(gradient.magnitude)
                    }
                }
            },
            .init(predicts: nil, level: 2) { context, samples in
                let w0 = samples[.weight(.base)], w1 = samples[.weight(.target)]
                let m1 = samples[.slot("momentum", .target)], u1 = samples[.slot("norm", .target)]
                var candidates: [CandidateProgram] = []
                for t in context.steps {
                    for (beta1, _) in betas {
                        for correction in Set([1 - powf(beta1, Float(t)), Float(1 - pow(Double(beta1), Double(t)))]) {
                            // lr = (w₀ − w₁)·(1 − β1ᵗ)·(u₁ + ε) / m₁, where the rate is not saved.
                            let estimate = samples.median { i in
                                (Double(w0[i]) - Double(w1[i])) * Double(correction) * (Double(u1[i]) + 1e-7) / Double(m1[i])
                            }
                            for lr in rates(context, estimate: estimate) {
                                candidates.append(
                                    build { b in
                                        let m1 = b.input(.slot("momentum", .target))
                                        return b.input(.weight(.base)) - (lr * m1) / (correction * (b.input(.slot("norm", .target)) + 1e-7))
                                    })
                            }
                        }
                    }
                }
                return candidates
            },
        ])

    // MARK: Candidates and helpers.

    /// (β1, β2) pairs: Keras' defaults first, then those large models are trained with.
    static let betas: [(Float, Float)] = [(0.9, 0.999), (0.9, 0.98), (0.9, 0.95), (0.9, 0.99), (0.95, 0.999)]
    static let momenta: [Float] = [0.9, 0.99, 0.95, 0.5]
    static let rhos: [Float] = [0.9, 0.99, 0.95]

    /// The float32 values a person would have written near `estimate`: rounded to one to three
    /// significant decimal digits, and the estimate itself.
    static func snapped(_ estimate: Double?) -> [Float] {
        guard let estimate, estimate.isFinite, estimate != 0 else { return [] }
        let exponent = (log10(abs(estimate))).rounded(.down)
        var values: [Float] = []
        for digits in 0..<3 {
            let scale = pow(10, exponent - Double(digits))
            values.append(Float((estimate / scale).rounded() * scale))
        }
        values.append(Float(estimate))
        var seen = Set<Float>()
        return values.filter { $0.isFinite && seen.insert($0).inserted }
    }

    /// `1 − c` as an optimizer computes it: Keras' Adam, Adamax and RMSprop in Python's double
    /// arithmetic on the decimal constant, then rounded to float32 (`1 − 0.9` is 0.1); TF1's
    /// kernels (and Keras' Nadam and Lion, which cast first) in float32 (`1 − 0.9f` is 0.100000024).
    static func complement(_ constant: Float, _ framework: Framework) -> Float {
        switch framework {
        case .keras: Float(1 - (Double(constant.description) ?? Double(constant)))
        case .tf1: 1 - constant
        }
    }

    /// ``complement(_:_:)`` of both frameworks, Keras' first: pairs of constants zip in step.
    static func complements(_ constant: Float) -> [Float] {
        [complement(constant, .keras), complement(constant, .tf1)]
    }

    /// The float32s within this many units in the last place of an estimated rate are tried.
    static let neighborhood = 3

    /// The learning rates a step may have used: those the checkpoint saved (Keras at a constant
    /// rate) where the tensors' estimate agrees, else also those ``nearby(_:)`` the estimate (a
    /// schedule's rate, which Keras does not save; a TF1 rate, never saved).
    static func rates(_ context: RuleContext, estimate: Double?) -> [Float] {
        let saved = context.floats("learning_rate", .target)
        // A saved rate the tensors contradict is not the one in force: a loss-scale optimizer
        // saves a rate of its own, its inner optimizer follows a schedule.
        guard let estimate, !saved.contains(where: { abs(Double($0) - estimate) <= 1e-3 * abs(estimate) }) else { return saved }
        return saved + nearby(estimate)
    }

    /// The float32s a rate estimated from the tensors may be: the round values near it (a rate a
    /// person wrote, ``snapped(_:)``) and every float32 within ``neighborhood`` units in the
    /// last place of it (a rate a schedule computed; the estimate is within about one).
    static func nearby(_ estimate: Double?) -> [Float] {
        guard let estimate, case let center = Float(estimate), center.isFinite, center != 0 else { return [] }
        var values = snapped(estimate), below = center, above = center
        for _ in 0..<neighborhood {
            below = below.nextDown
            above = above.nextUp
            values += [below, above]
        }
        var seen = Set<Float>()
        return values.filter { $0.isFinite && seen.insert($0).inserted }
    }

    static func build(_ body: (ProgramBuilder<GroupTensor>) -> ProgramExpression<GroupTensor>) -> CandidateProgram {
        let builder = ProgramBuilder<GroupTensor>()
        let result = body(builder)
        return CandidateProgram(program: builder.program(returning: result), inputs: builder.inputs)
    }

    static func cartesian<A, B, T>(_ first: [A], _ second: [B], _ combine: (A, B) -> T) -> [T] {
        first.flatMap { a in second.map { b in combine(a, b) } }
    }
}
