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

/// A target tensor to encode against a prediction instead of its base bytes.
struct PlannedPrediction: Sendable {
    let level: Int
    let program: PredictionProgram
    /// The program's inputs at the tensor's start.
    let inputs: [TensorLocation]
}

/// Decides which target tensors to encode against predictions, and with which programs.
///
/// A group is a weight with its optimizer slots, paired through the training state (the
/// object graph, or TF1 slot names), every member float32 of one size on both sides. Groups
/// with the same slot names train under one optimizer: its rule and constants are chosen
/// once, on samples of the largest groups, among every rule for those slot names (SGD, Lion
/// and TF1 Momentum all keep one `momentum`); then each group keeps each prediction only where
/// its own sample confirms it beats the base by a wide margin. Guessing wrong costs the
/// sampling; a chunk whose prediction does worse than its base falls back to the base anyway.
struct PredictionPlanner {
    /// A weight and its slots, present on both sides.
    struct Group {
        struct Member {
            /// The target tensor's key.
            let key: [UInt8]
            let base: TensorLocation
            let target: TensorLocation
        }

        /// By slot name; nil is the weight.
        let members: [String?: Member]
        /// Bytes per member.
        let size: Int

        var slotNames: Set<String> { Set(members.keys.compactMap { $0 }) }
    }

    /// Reads `count` bytes at a location.
    typealias Reader = (TensorLocation, Int) -> [UInt8]

    static let sampleElements = 512
    /// Groups a rule's constants are chosen on.
    static let calibrationGroups = 3
    /// A prediction is kept when its residual costs at most this share of the base's.
    static let margin = 0.75
    /// Where a step has more candidates than this, they are first compared on ``screenElements``
    /// of the samples, and only this many scored on all of them.
    static let screenedCandidates = 16
    static let screenElements = 64

    let context: RuleContext
    let read: Reader

    func plan(_ groups: [Group]) -> [[UInt8]: PlannedPrediction] {
        var plans: [[UInt8]: PlannedPrediction] = [:]
        for (slots, family) in Dictionary(grouping: groups, by: \.slotNames) {
            let rules = UpdateRules.all.filter { $0.slots == slots }
            guard !rules.isEmpty else { continue }
            // Each group is sampled once: for the calibration (the largest) and for its own check.
            let sampled = family.map { (group: $0, samples: samples($0)) }
            let calibration = sampled.sorted { $0.group.size > $1.group.size }.prefix(Self.calibrationGroups).map(\.samples)
            guard let chosen = choose(rules, on: pooled(calibration)) else { continue }
            for (group, own) in sampled {
                for (step, candidate) in chosen where Self.cost(of: candidate, predicting: step.predicts, on: own).pays {
                    let inputs = candidate.inputs.compactMap { tensor in
                        group.members[tensor.slot].map { tensor.side == .base ? $0.base : $0.target }
                    }
                    guard let member = group.members[step.predicts], inputs.count == candidate.inputs.count else { continue }
                    plans[member.key] = PlannedPrediction(level: step.level, program: candidate.program, inputs: inputs)
                }
            }
        }
        return plans
    }

    /// The rule whose best candidates save the most on `samples`, with those candidates (only
    /// the steps that pay for themselves).
    private func choose(_ rules: [UpdateRule], on samples: GroupSamples) -> [(UpdateRule.Step, CandidateProgram)]? {
        var best: (saving: Double, steps: [(UpdateRule.Step, CandidateProgram)])? = nil
        let screen = samples.strided(Self.screenElements)
        for rule in rules {
            var saving = 0.0
            var steps: [(UpdateRule.Step, CandidateProgram)] = []
            for step in rule.steps {
                // Many candidates (rates around an estimate, times constants) are screened on a few
                // elements; the best are scored on all the samples.
                var candidates = step.candidates(context, samples)
                if candidates.count > Self.screenedCandidates {
                    candidates = candidates.map { ($0, Self.cost(of: $0, predicting: step.predicts, on: screen).predicted) }
                        .sorted { $0.1 < $1.1 }.prefix(Self.screenedCandidates).map(\.0)
                }
                let scored = candidates.map { ($0, Self.cost(of: $0, predicting: step.predicts, on: samples)) }
                guard let (candidate, cost) = scored.min(by: { $0.1.predicted < $1.1.predicted }), cost.pays else { continue }
                saving += cost.base - cost.predicted
                steps.append((step, candidate))
            }
            if !steps.isEmpty, saving > best?.saving ?? 0 { best = (saving, steps) }
        }
        return best?.steps
    }

    /// What the residual of the tensor `slot` predicts costs on the samples, against its base.
    struct Cost {
        let predicted: Double
        let base: Double

        /// Whether the prediction beats the base by the planner's ``PredictionPlanner/margin``.
        var pays: Bool { predicted < PredictionPlanner.margin * base }
    }

    static func cost(of candidate: CandidateProgram, predicting slot: String?, on samples: GroupSamples) -> Cost {
        let actual = samples[.init(slot: slot, side: .target)]
        return Cost(
            predicted: residualBits(candidate.program.evaluate(columns: candidate.inputs.map { samples[$0] }), actual),
            base: residualBits(samples[.init(slot: slot, side: .base)], actual))
    }

    /// Windows a group's samples come from.
    static let sampleWindows = 8
    /// The most bytes of a weight searched for changed windows, in blocks of ``scannedBlockBytes``.
    static let scannedBytes = 32 << 20
    static let scannedBlockBytes = 64 << 10

    /// ``sampleElements`` of every member on both sides, at the same positions: the first
    /// windows where the weight changed (of a sparsely updated embedding, the few rows a step
    /// touched, which the tensor's first elements may not be), else its first elements.
    private func samples(_ group: Group) -> GroupSamples {
        let windowBytes = Self.sampleElements / Self.sampleWindows * 4
        var starts: [Int] = []
        if let weight = group.members[nil] {
            var offset = 0
            while offset < min(group.size, Self.scannedBytes), starts.count < Self.sampleWindows {
                let count = min(Self.scannedBlockBytes, group.size - offset)
                let base = read(weight.base.advanced(by: offset), count), target = read(weight.target.advanced(by: offset), count)
                if base != target {
                    for start in stride(from: 0, to: count, by: windowBytes) where starts.count < Self.sampleWindows {
                        let end = min(start + windowBytes, count)
                        if base[start..<end] != target[start..<end] { starts.append(offset + start) }
                    }
                }
                offset += count
            }
        }
        if starts.isEmpty { starts = [0] }
        var values: [GroupTensor: [Float]] = [:]
        for (slot, member) in group.members {
            for start in starts {
                // Whole elements; a lone window (nothing changed) takes all the samples.
                let count = min(starts.count == 1 ? Self.sampleElements * 4 : windowBytes, group.size - start) / 4 * 4
                values[.init(slot: slot, side: .base), default: []] += Self.floats(read(member.base.advanced(by: start), count))
                values[.init(slot: slot, side: .target), default: []] += Self.floats(read(member.target.advanced(by: start), count))
            }
        }
        return GroupSamples(values: values)
    }

    /// The samples of several groups of one family, end to end.
    private func pooled(_ samples: [GroupSamples]) -> GroupSamples {
        var values: [GroupTensor: [Float]] = [:]
        for sample in samples {
            for (tensor, floats) in sample.values { values[tensor, default: []] += floats }
        }
        return GroupSamples(values: values)
    }

    /// The mean number of significant bits in the bit-pattern differences: what a residual costs.
    static func residualBits(_ predicted: [Float], _ actual: [Float]) -> Double {
        guard !actual.isEmpty, predicted.count == actual.count else { return .infinity }
        let total = zip(predicted, actual).reduce(0.0) { sum, pair in
            let difference = Int64(pair.1.bitPattern) - Int64(pair.0.bitPattern)
            return sum + Double(64 - difference.magnitude.leadingZeroBitCount)
        }
        return total / Double(actual.count)
    }

    static func floats(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }
}
