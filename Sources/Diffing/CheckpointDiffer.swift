import Glibc
import Parallelism
import TensorBundle

/// Compares two checkpoints variable by variable, streaming both through their memory maps
/// in fixed-size chunks on every core.
///
/// Variables with equal sizes and stored CRCs are confirmed identical by comparing bytes,
/// without decoding; the others are decoded element by element (bfloat16, half, the float8
/// family, int4/int2 and integers exactly) into double-precision statistics. Memory stays
/// near `jobs × chunkBytes` whatever the tensors' sizes, except for partitioned variables
/// sliced differently on the two sides, which are assembled whole.
public struct CheckpointDiffer: Sendable {
    /// numpy `allclose` tolerances.
    public struct Tolerance: Sendable, Hashable {
        public var absolute: Double
        public var relative: Double

        public init(absolute: Double, relative: Double) {
            self.absolute = absolute
            self.relative = relative
        }
    }

    public var tolerance: Tolerance?
    public var jobs = Parallelism.availableCores
    /// Bytes per work item.
    package var chunkBytes = 4 << 20
    /// Which variables to compare, by display name.
    public var selects: @Sendable (String) -> Bool = { _ in true }

    public init() {}

    public func compare(_ a: CheckpointBundle, _ b: CheckpointBundle) throws(DiffError) -> DiffReport {
        let clock = Stopwatch()
        let left = Dictionary(a.summaries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let right = Dictionary(b.summaries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = Set(left.keys).union(right.keys).sorted { $0.lexicographicallyPrecedes($1) }
        var variables: [VariableDiff?] = []
        var plans: [Plan] = []
        for key in keys {
            let name = (right[key] ?? left[key])!.name
            guard selects(name) else { continue }
            switch (left[key], right[key]) {
            case (let x?, nil): variables.append(VariableDiff(name: name, status: .removed, summary: x, statistics: nil, numeric: false))
            case (nil, let y?): variables.append(VariableDiff(name: name, status: .added, summary: y, statistics: nil, numeric: false))
            case (let x?, let y?) where x.dtype != y.dtype:
                variables.append(VariableDiff(name: name, status: .dtypeChanged, summary: y, statistics: nil, numeric: false))
            case (let x?, let y?) where x.shape != y.shape:
                variables.append(VariableDiff(name: name, status: .shapeChanged, summary: y, statistics: nil, numeric: false))
            case (_, let y?):
                plans.append(try Plan(variable: variables.count, summary: y, a: a, b: b))
                variables.append(nil)
            default:
                break
            }
        }
        let results = try execute(plans, a: a, b: b)
        for (plan, result) in zip(plans, results) {
            variables[plan.variable] = VariableDiff(
                name: plan.summary.name, status: result == nil ? .identical : .changed, summary: plan.summary,
                statistics: result, numeric: plan.kind.isNumeric)
        }
        return DiffReport(a: a.prefix, b: b.prefix, variables: variables.map { $0! }, seconds: clock.seconds)
    }

    /// Runs the byte comparisons, then the statistics of whatever differs; nil = identical.
    private func execute(_ plans: [Plan], a: CheckpointBundle, b: CheckpointBundle) throws(DiffError) -> [DiffStatistics?] {
        let candidates = plans.indices.filter { plans[$0].mayBeIdentical }
        let equal = try run(candidates.flatMap { plans[$0].chunks(chunkBytes, plan: $0) }, plans, a, b, compareOnly: true)
        var identical = Set(candidates)
        for (chunk, result) in equal where result == nil { identical.remove(chunk.plan) }
        let remaining = plans.indices.filter { !identical.contains($0) }
        let statistics = try run(remaining.flatMap { plans[$0].chunks(chunkBytes, plan: $0) }, plans, a, b, compareOnly: false)
        var merged = [DiffStatistics?](repeating: nil, count: plans.count)
        for index in remaining { merged[index] = DiffStatistics() }
        for (chunk, result) in statistics {
            if let result { merged[chunk.plan]!.merge(result) }
        }
        return merged
    }

    /// Runs chunks in parallel. With `compareOnly`, a chunk's result is an empty statistics
    /// value when its bytes are equal and nil when they differ.
    private func run(
        _ chunks: [Chunk], _ plans: [Plan], _ a: CheckpointBundle, _ b: CheckpointBundle, compareOnly: Bool
    ) throws(DiffError) -> [(Chunk, DiffStatistics?)] {
        let results = ResultSlots<DiffStatistics?>(count: chunks.count, initial: nil)
        let failures = ResultSlots<String?>(count: chunks.count, initial: nil)
        let tolerance = self.tolerance.map { (absolute: $0.absolute, relative: $0.relative) }
        ParallelWork.run(count: chunks.count, jobs: jobs) { index in
            let chunk = chunks[index]
            do throws(TensorError) {
                results[index] = try plans[chunk.plan].process(chunk, a, b, compareOnly: compareOnly, tolerance: tolerance)
            } catch {
                failures[index] = error.description
            }
        }
        for index in chunks.indices {
            if let failure = failures[index] { throw DiffError(cause: failure) }
        }
        return chunks.indices.map { (chunks[$0], results[$0]) }
    }
}

extension ElementKind {
    var isNumeric: Bool {
        switch self {
        case .bool, .opaque: false
        default: true
        }
    }
}
