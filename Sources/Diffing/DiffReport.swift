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
    /// Its key in A, when A holds it (B's is in ``summary``).
    public let aKey: [UInt8]?
    /// The element statistics: present for changed variables and for identical numeric weights
    /// and optimizer state (whose norms the figures need); nil for other identical variables
    /// (found equal without decoding) and for added, removed, retyped or reshaped ones.
    public let statistics: DiffStatistics?
    /// Whether the statistics are numeric (false for bool, string and variant tensors, which
    /// only count differing elements).
    public let numeric: Bool
    /// What the variable is in training.
    public let role: VariablePair.Role
    /// The layer it belongs to, if known.
    public let layer: String?
    /// For a changed 2-D variable, which of its rows changed.
    public let rows: RowChanges?

    public init(
        name: String, status: VariableStatus, summary: VariableSummary, aKey: [UInt8]?, statistics: DiffStatistics?, numeric: Bool,
        role: VariablePair.Role = .weight, layer: String? = nil, rows: RowChanges? = nil
    ) {
        self.name = name
        self.status = status
        self.summary = summary
        self.aKey = aKey
        self.statistics = statistics
        self.numeric = numeric
        self.role = role
        self.layer = layer
        self.rows = rows
    }

    /// Identical, or changed with every element within `tolerance` (none: changed is not within).
    public func within(_ tolerance: CheckpointDiffer.Tolerance?) -> Bool {
        switch status {
        case .identical: true
        case .changed: tolerance != nil && (statistics.map { $0.outsideTolerance == 0 } ?? false)
        default: false
        }
    }

    /// What the variable's change is summed up under: its layer, else its name.
    public var group: String { layer ?? name }

    /// Whether its elements are real or complex floating-point numbers (any width).
    public var isFloatingPoint: Bool { summary.dtype.kind == .float || summary.dtype.kind == .complex }
}

/// A whole diff of two checkpoints.
public struct DiffReport: Sendable {
    public let a: String
    public let b: String
    /// Variables in name order.
    public let variables: [VariableDiff]
    public let seconds: Double
    /// The tolerance asked for, if any.
    public let tolerance: CheckpointDiffer.Tolerance?

    /// The same report with the checkpoints called `a` and `b` (remote checkpoints compared
    /// through local copies are called by their URLs).
    public func named(a: String, b: String) -> DiffReport {
        DiffReport(a: a, b: b, variables: variables, seconds: seconds, tolerance: tolerance)
    }

    /// Every variable identical, none added or removed.
    public var identical: Bool { variables.allSatisfy { $0.status == .identical } }

    /// Every variable identical or, with a tolerance, within it; none added, removed, retyped
    /// or reshaped. Without a tolerance, a changed value is never within one.
    public var withinTolerance: Bool { variables.allSatisfy { $0.within(tolerance) } }

    /// The statistics of every compared numeric variable, merged.
    public var total: DiffStatistics { merged { $0.numeric } }

    /// The statistics of the model's floating-point weights (identical ones included), merged.
    /// Integer model variables (a dropout layer's seed state, a hash table's ids) are left out:
    /// their magnitudes say nothing about how far the weights moved.
    public var weights: DiffStatistics { merged { $0.role == .weight && $0.isFloatingPoint } }

    /// The statistics of the optimizer state's floating-point variables (slots, learning rates;
    /// integer counters are left out), merged.
    public var optimizer: DiffStatistics { merged { $0.role == .optimizer && $0.isFloatingPoint } }

    /// The headline figure: ‖B − A‖ / ‖A‖ over the model's floating-point weights, the unchanged
    /// ones included.
    public var weightsRelativeChange: Double? { weights.relativeL2 }

    /// ‖B − A‖ / ‖A‖ over the optimizer state.
    public var optimizerRelativeChange: Double? { optimizer.relativeL2 }

    /// The layer (or, for a weight in no layer, the weight) whose floating-point weights moved
    /// most, by relative L2 change, with that change; nil when none moved. Scalars are left
    /// out: a scale going from 1 to 3 is not a layer moving by 2.
    public var mostMovedGroup: (name: String, relativeChange: Double, isLayer: Bool)? {
        var groups: [String: (statistics: DiffStatistics, isLayer: Bool)] = [:]
        for variable in variables where variable.role == .weight && variable.isFloatingPoint && variable.summary.parameters > 1 {
            guard let statistics = variable.statistics else { continue }
            groups[variable.group, default: (DiffStatistics(), variable.layer != nil)].statistics.merge(statistics)
        }
        return groups.compactMap { name, group in
            group.statistics.relativeL2.flatMap { $0 > 0 ? (name, $0, group.isLayer) : nil }
        }
        .max { ($0.1, $1.0) < ($1.1, $0.0) }
    }

    private func merged(_ included: (VariableDiff) -> Bool) -> DiffStatistics {
        variables.reduce(into: DiffStatistics()) { total, variable in
            if included(variable), let statistics = variable.statistics { total.merge(statistics) }
        }
    }
}

/// Why a diff could not be made, where the differ itself decides it: a code and one readable
/// line naming the tensor and the cause. A tensor that cannot be read is reported by its own
/// `TensorError`.
public struct DiffError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The tensor's dtype is one the differ does not compare.
        case unsupportedType
        /// A tensor assembled from its slices does not hold fixed-size elements.
        case unexpectedContents
    }

    public let code: Code
    public let cause: String

    public var description: String { cause }
}
