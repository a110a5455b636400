/// A tensor of an update group — the weight or one of its optimizer slots — on one side of a delta.
struct GroupTensor: Hashable, Sendable {
    /// `nil` for the weight, else the slot's name (`momentum`, `velocity`, `m`, …).
    let slot: String?
    let side: TensorLocation.Source

    static func weight(_ side: TensorLocation.Source) -> GroupTensor { GroupTensor(slot: nil, side: side) }
    static func slot(_ name: String, _ side: TensorLocation.Source) -> GroupTensor { GroupTensor(slot: name, side: side) }
}

/// One program over the tensors of a group, with the constants it was built from.
struct CandidateProgram: Sendable {
    let program: PredictionProgram
    /// The program's inputs, by input number.
    let inputs: [GroupTensor]
}

/// How one optimizer changes a weight and its slots in one step, written as predictions of the
/// tensors a delta does not have to store from those it does (the tensor that carries the
/// step's gradient is stored; the rest follow from the update rule).
///
/// The hyperparameters a checkpoint does not hold (β, ε, momentum, ρ; a TF1 learning rate)
/// are candidates: defaults and common values, and estimates from the tensors themselves
/// snapped to the float32 a person would have written. Sampling picks the candidate that
/// reproduces the target.
struct UpdateRule: Sendable {
    /// What the rule is of, for reports: `Keras Adam`, `TF1 Momentum`.
    let name: String
    /// The slot names of the groups the rule applies to, exactly.
    let slots: Set<String>
    /// The predictions, in rebuild order.
    let steps: [Step]

    struct Step: Sendable {
        /// The slot predicted (nil: the weight).
        let predicts: String?
        /// The rebuild level: 1 + the highest level of a target tensor it reads (stored tensors are level 0).
        let level: Int
        /// The candidate programs, given the optimizer's scalars and samples of the group.
        let candidates: @Sendable (RuleContext, GroupSamples) -> [CandidateProgram]
    }
}

/// The optimizer's scalars a rule may use: step counters, learning rates and other float32
/// state (`beta1_power`, `_u_product`), each on both sides.
struct RuleContext: Sendable {
    /// float32 scalars under the optimizer, by key.
    let floats: [String: (base: Float?, target: Float?)]
    /// int64 step counters (`iterations`, `global_step`), by key.
    let counters: [String: (base: Int64?, target: Int64?)]

    /// The distinct values of float scalars whose key contains `fragment`, on `side`.
    func floats(_ fragment: String, _ side: TensorLocation.Source) -> [Float] {
        distinct(floats.filter { $0.key.contains(fragment) }.compactMap { side == .base ? $0.value.base : $0.value.target })
    }

    /// The step numbers an update from base to target may have used: each counter's base value
    /// + 1 (counters outside 0..<2⁴⁰ are not steps of a training run).
    var steps: [Int64] {
        distinct(counters.compactMap { $0.value.base.flatMap { (0..<(1 << 40)).contains($0) ? $0 + 1 : nil } })
    }

    private func distinct<T: Hashable>(_ values: [T]) -> [T] {
        var seen = Set<T>()
        return values.filter { seen.insert($0).inserted }
    }
}

/// Samples of a group's tensors (the same element positions in each), as float32.
struct GroupSamples: Sendable {
    let values: [GroupTensor: [Float]]

    subscript(_ tensor: GroupTensor) -> [Float] { values[tensor] ?? [] }

    /// The median of `estimate` over the elements where it is finite and nonzero.
    func median(_ estimate: (Int) -> Double) -> Double? {
        median(of: Array(0..<count), estimate)
    }

    /// The median of `estimate` over the quarter of the elements where `error` (what bounds the
    /// estimate's rounding error there) is least, among those where it is finite and nonzero.
    func median(leastError error: (Int) -> Float, _ estimate: (Int) -> Double) -> Double? {
        let usable = (0..<count).filter { estimate($0).isFinite && estimate($0) != 0 }.sorted { error($0) < error($1) }
        return median(of: Array(usable.prefix(max(1, usable.count / 4))), estimate)
    }

    private var count: Int { values.values.first?.count ?? 0 }

    /// About `target` of the elements, evenly spaced (all of them when there are fewer).
    func strided(_ target: Int) -> GroupSamples {
        let stride = max(1, count / max(target, 1))
        return GroupSamples(values: values.mapValues { column in Swift.stride(from: 0, to: column.count, by: stride).map { column[$0] } })
    }

    private func median(of elements: [Int], _ estimate: (Int) -> Double) -> Double? {
        var finite = elements.map(estimate).filter { $0.isFinite && $0 != 0 }
        return finite.isEmpty ? nil : Self.select(finite.count / 2, in: &finite)
    }

    /// The value that would be at `rank` were `values` sorted (quickselect: rules take dozens
    /// of medians of the samples per delta, and a sort each was a twentieth of an archive run).
    private static func select(_ rank: Int, in values: inout [Double]) -> Double {
        var low = 0, high = values.count - 1
        while low < high {
            let pivot = values[low + (high - low) / 2]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j {
                high = j
            } else if rank >= i {
                low = i
            } else {
                return values[rank]
            }
        }
        return values[rank]
    }
}
