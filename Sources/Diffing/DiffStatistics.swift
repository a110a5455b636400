/// Running statistics of element pairs (a from checkpoint A, b from B), in double precision.
/// Pairs where either side is NaN or ±Inf are counted but left out of the numeric sums.
public struct DiffStatistics: Sendable, Hashable {
    /// Elements compared.
    public var count: Int64 = 0
    /// Elements whose values differ (NaN equals NaN here; -0 equals +0).
    public var changed: Int64 = 0
    /// Pairs with both sides finite, which the sums cover.
    public var finite: Int64 = 0
    public var sumAbsDiff = 0.0
    public var maxAbsDiff = 0.0
    public var sumSquaredDiff = 0.0
    public var sumSquaredA = 0.0
    public var sumSquaredB = 0.0
    public var dot = 0.0
    public var nanA: Int64 = 0
    public var nanB: Int64 = 0
    public var infA: Int64 = 0
    public var infB: Int64 = 0
    /// Elements outside the tolerance (numpy `isclose(b, a)` false); 0 when none was given.
    public var outsideTolerance: Int64 = 0

    public init() {}

    /// Adds one pair; `tolerance` is (atol, rtol) when a tolerance check was asked for.
    @inlinable
    public mutating func add(_ a: Double, _ b: Double, tolerance: (absolute: Double, relative: Double)?) {
        count += 1
        if a.isFinite && b.isFinite {
            let difference = b - a
            let magnitude = abs(difference)
            if difference != 0 { changed += 1 }
            finite += 1
            sumAbsDiff += magnitude
            if magnitude > maxAbsDiff { maxAbsDiff = magnitude }
            sumSquaredDiff += difference * difference
            sumSquaredA += a * a
            sumSquaredB += b * b
            dot += a * b
            if let tolerance, magnitude > tolerance.absolute + tolerance.relative * abs(b) { outsideTolerance += 1 }
            return
        }
        if a.isNaN { nanA += 1 }
        if b.isNaN { nanB += 1 }
        if a.isInfinite { infA += 1 }
        if b.isInfinite { infB += 1 }
        let same = a == b || (a.isNaN && b.isNaN)
        if !same { changed += 1 }
        // numpy's isclose: equal infinities are close, NaN never is.
        if tolerance != nil && !(a == b && !a.isNaN) { outsideTolerance += 1 }
    }

    /// Adds a run of non-numeric elements, `differing` of which differ.
    public mutating func addOpaque(count elements: Int64, differing: Int64, checkingTolerance: Bool) {
        count += elements
        changed += differing
        if checkingTolerance { outsideTolerance += differing }
    }

    /// Combines the statistics of two disjoint sets of pairs.
    public mutating func merge(_ other: DiffStatistics) {
        count += other.count
        changed += other.changed
        finite += other.finite
        sumAbsDiff += other.sumAbsDiff
        maxAbsDiff = max(maxAbsDiff, other.maxAbsDiff)
        sumSquaredDiff += other.sumSquaredDiff
        sumSquaredA += other.sumSquaredA
        sumSquaredB += other.sumSquaredB
        dot += other.dot
        nanA += other.nanA
        nanB += other.nanB
        infA += other.infA
        infB += other.infB
        outsideTolerance += other.outsideTolerance
    }

    public var changedFraction: Double { count == 0 ? 0 : Double(changed) / Double(count) }
    public var meanAbsDiff: Double { finite == 0 ? 0 : sumAbsDiff / Double(finite) }
    public var rmsDiff: Double { finite == 0 ? 0 : (sumSquaredDiff / Double(finite)).squareRoot() }
    public var l2A: Double { sumSquaredA.squareRoot() }
    public var l2B: Double { sumSquaredB.squareRoot() }
    /// ‖b − a‖ / ‖a‖, or nil when ‖a‖ is 0.
    public var relativeL2: Double? { l2A > 0 ? sumSquaredDiff.squareRoot() / l2A : nil }
    /// a·b / (‖a‖ ‖b‖), or nil when either norm is 0.
    public var cosine: Double? { l2A > 0 && l2B > 0 ? dot / (l2A * l2B) : nil }
}
