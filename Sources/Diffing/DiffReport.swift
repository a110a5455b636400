import TensorBundle

/// How a variable differs between checkpoints A and B.
public enum VariableStatus: String, Sendable, Hashable {
    case identical, changed, added, removed
    case dtypeChanged = "dtype_changed"
    case shapeChanged = "shape_changed"
}

/// One variable of a diff.
public struct VariableDiff: Sendable {
    public let name: String
    public let status: VariableStatus
    /// The variable in B (in A when it was removed).
    public let summary: VariableSummary
    /// The element statistics: present for changed variables; nil for identical ones (found
    /// equal without decoding) and for added, removed, retyped or reshaped ones.
    public let statistics: DiffStatistics?
    /// Whether the statistics are numeric (false for bool, string and variant tensors, which
    /// only count differing elements).
    public let numeric: Bool

    /// Identical, or changed but every element within the tolerance that was asked for.
    public var withinTolerance: Bool {
        switch status {
        case .identical: true
        case .changed: statistics.map { $0.outsideTolerance == 0 } ?? false
        default: false
        }
    }

    /// The leading component of the name (`dense/kernel` → `dense`), for grouping.
    public var group: String {
        String(name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(name))
    }
}

/// A whole diff of two checkpoints.
public struct DiffReport: Sendable {
    public let a: String
    public let b: String
    /// Variables in name order.
    public let variables: [VariableDiff]
    public let seconds: Double

    /// The same report with variables called by `names` (a variable's key as listed, to the name
    /// a person gave it); the keys stay in each variable's summary.
    public func renamed(_ names: [String: String]) -> DiffReport {
        let variables = variables.map { variable in
            VariableDiff(
                name: names[variable.summary.name] ?? variable.name, status: variable.status, summary: variable.summary,
                statistics: variable.statistics, numeric: variable.numeric)
        }
        return DiffReport(a: a, b: b, variables: variables.sorted { $0.name < $1.name }, seconds: seconds)
    }

    /// The same report with the checkpoints called `a` and `b` (remote checkpoints compared
    /// through local copies are called by their URLs).
    public func named(a: String, b: String) -> DiffReport {
        DiffReport(a: a, b: b, variables: variables, seconds: seconds)
    }

    /// Every variable identical, none added or removed.
    public var identical: Bool { variables.allSatisfy { $0.status == .identical } }

    /// Every variable identical or within tolerance, none added, removed, retyped or reshaped.
    public var withinTolerance: Bool { variables.allSatisfy(\.withinTolerance) }

    /// The statistics of every compared numeric variable, merged.
    public var total: DiffStatistics {
        variables.reduce(into: DiffStatistics()) { total, variable in
            if variable.numeric, let statistics = variable.statistics { total.merge(statistics) }
        }
    }

    /// ‖B − A‖ / ‖A‖ over every changed numeric variable (identical ones contribute nothing to
    /// the numerator and are not decoded, so the denominator covers changed variables only).
    public var globalRelativeChange: Double? { total.relativeL2 }

    /// The group (leading name component) whose changed numeric tensors moved most, by
    /// relative L2 change, with that change. Scalars are left out: a step counter going from
    /// 1 to 3 is not a group moving by 2.
    public var mostMovedGroup: (name: String, relativeChange: Double)? {
        var groups: [String: DiffStatistics] = [:]
        for variable in variables where variable.numeric && variable.summary.parameters > 1 {
            guard let statistics = variable.statistics else { continue }
            groups[variable.group, default: DiffStatistics()].merge(statistics)
        }
        return groups.compactMap { name, statistics in statistics.relativeL2.map { (name, $0) } }
            .max { $0.1 < $1.1 }
    }
}

/// Why a diff could not be made.
public struct DiffError: Error, Sendable, CustomStringConvertible {
    public let cause: String

    public var description: String { cause }
}
