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
    /// Told the bytes of A the comparison will read, then the bytes each work item compared
    /// (from any thread).
    public var progress: WorkProgress?

    public init() {}

    /// Compares the variables `pairs` names (by default every variable, paired by stored key).
    public func compare(_ a: CheckpointBundle, _ b: CheckpointBundle, pairs: [VariablePair]? = nil) throws -> DiffReport {
        let clock = Stopwatch()
        let left = Dictionary(a.summaries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let right = Dictionary(b.summaries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var variables: [VariableDiff?] = []
        var plans: [Plan] = []
        for pair in pairs ?? VariablePair.byKey(a, b) {
            func variable(_ status: VariableStatus, _ summary: VariableSummary) -> VariableDiff {
                VariableDiff(
                    name: pair.name, status: status, summary: summary, aKey: pair.a, statistics: nil, numeric: false, role: pair.role,
                    layer: pair.layer)
            }
            switch (pair.a.flatMap { left[$0] }, pair.b.flatMap { right[$0] }) {
            case (let x?, nil): variables.append(variable(.removed, x))
            case (nil, let y?): variables.append(variable(.added, y))
            case (let x?, let y?) where x.dtype != y.dtype: variables.append(variable(.dtypeChanged, y))
            case (let x?, let y?) where x.shape != y.shape: variables.append(variable(.shapeChanged, y))
            case (let x?, let y?):
                plans.append(try Plan(variable: variables.count, pair: pair, a: x, b: y, in: (a, b)))
                variables.append(nil)
            default:
                break
            }
        }
        let results = try execute(plans, a: a, b: b)
        for (plan, result) in zip(plans, results) {
            variables[plan.variable] = VariableDiff(
                name: plan.pair.name, status: result.identical ? .identical : .changed, summary: plan.summary, aKey: plan.pair.a,
                statistics: result.statistics, numeric: plan.kind.isNumeric, role: plan.pair.role, layer: plan.pair.layer,
                rows: result.rows)
        }
        return DiffReport(a: a.prefix, b: b.prefix, variables: variables.map { $0! }, seconds: clock.seconds, tolerance: tolerance)
    }

    /// What comparing one variable found.
    private struct Outcome {
        var identical: Bool
        var statistics: DiffStatistics?
        var rows: RowChanges?
    }

    /// Runs the byte comparisons, then the statistics of whatever differs and of identical
    /// weights and optimizer state (the figures need their norms), with the changed rows of
    /// 2-D tensors.
    private func execute(_ plans: [Plan], a: CheckpointBundle, b: CheckpointBundle) throws -> [Outcome] {
        let candidates = plans.indices.filter { plans[$0].mayBeIdentical }
        let compared = candidates.flatMap { plans[$0].chunks(chunkBytes, plan: $0) }
        // Both passes are planned at once: the second reads what may differ and what needs norms.
        let decoded = Set(plans.indices.filter { !plans[$0].mayBeIdentical || plans[$0].needsNorms })
        progress?.plan(Self.bytes(of: compared) + Self.bytes(of: decoded.flatMap { plans[$0].chunks(chunkBytes, plan: $0) }))
        let equal = try run(compared, plans, a, b, compareOnly: true)
        var identical = Set(candidates)
        for (chunk, result) in equal where result.statistics == nil { identical.remove(chunk.plan) }
        let measured = plans.indices.filter { !identical.contains($0) || plans[$0].needsNorms }
        progress?.plan(Self.bytes(of: measured.filter { !decoded.contains($0) }.flatMap { plans[$0].chunks(chunkBytes, plan: $0) }))
        let statistics = try run(measured.flatMap { plans[$0].chunks(chunkBytes, plan: $0) }, plans, a, b, compareOnly: false)
        var outcomes = plans.indices.map { Outcome(identical: identical.contains($0)) }
        var tallies = [[RowTally]](repeating: [], count: plans.count)
        for index in measured { outcomes[index].statistics = DiffStatistics() }
        for (chunk, result) in statistics {
            if let found = result.statistics { outcomes[chunk.plan].statistics!.merge(found) }
            if let tally = result.rows { tallies[chunk.plan].append(tally) }
        }
        for index in measured where !identical.contains(index) {
            if let rows = plans[index].rowLayout?.rows { outcomes[index].rows = RowChanges(rows: rows, tallies: tallies[index]) }
        }
        return outcomes
    }

    private static func bytes(of chunks: [Chunk]) -> Int64 {
        chunks.reduce(0) { $0 + Int64($1.range.count) }
    }

    /// Runs chunks in parallel. With `compareOnly`, a chunk's statistics are empty when its
    /// bytes are equal and nil when they differ.
    private func run(
        _ chunks: [Chunk], _ plans: [Plan], _ a: CheckpointBundle, _ b: CheckpointBundle, compareOnly: Bool
    ) throws -> [(Chunk, ChunkResult)] {
        let results = ResultSlots<ChunkResult>(count: chunks.count, initial: ChunkResult())
        let failures = ResultSlots<TensorError?>(count: chunks.count, initial: nil)
        let tolerance = self.tolerance.map { (absolute: $0.absolute, relative: $0.relative) }
        ParallelWork.run(count: chunks.count, jobs: jobs) { index in
            let chunk = chunks[index]
            do throws(TensorError) {
                results[index] = try plans[chunk.plan].process(chunk, a, b, compareOnly: compareOnly, tolerance: tolerance)
                progress?.advance(Int64(chunk.range.count))
            } catch {
                failures[index] = error
            }
        }
        for index in chunks.indices {
            if let failure = failures[index] { throw failure }
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
