import TensorBundle

/// One variable of a diff: what it is called, where each checkpoint stores it, and what it is
/// in training. Two checkpoints of one model may store a variable under different keys (a
/// training checkpoint and its SavedModel export): a pair is made by the name people know.
public struct VariablePair: Sendable, Hashable {
    /// What a variable is in training, for the figures a diff sums up.
    public enum Role: String, Sendable, Hashable {
        /// A model weight: the headline figure covers these.
        case weight
        /// Optimizer state (slots, learning rates): a figure of its own.
        case optimizer
        /// Bookkeeping (counters, the object graph): in neither figure.
        case bookkeeping
    }

    public let name: String
    /// The key in A; nil when only B holds the variable.
    public let a: [UInt8]?
    /// The key in B; nil when only A holds it.
    public let b: [UInt8]?
    public let role: Role
    /// The layer the variable belongs to (for a slot, its variable's), if known.
    public let layer: String?

    public init(name: String, a: [UInt8]?, b: [UInt8]?, role: Role, layer: String?) {
        self.name = name
        self.a = a
        self.b = b
        self.role = role
        self.layer = layer
    }

    /// Every variable of `a` and `b` paired by stored key, called by its key, a weight.
    public static func byKey(_ a: CheckpointBundle, _ b: CheckpointBundle) -> [VariablePair] {
        byName(a, b) { _, key in (CheckpointBundle.displayName(key), .weight, nil) }
    }

    /// Every variable of `a` and `b` paired by the name `name(side, key)` gives it, each name
    /// once: where one checkpoint stores a variable under two keys (a Keras export reaches each
    /// weight by two paths), the first stored is the variable and the other is left out.
    public static func byName(
        _ a: CheckpointBundle, _ b: CheckpointBundle, name: (_ inB: Bool, _ key: [UInt8]) -> (name: String, role: Role, layer: String?)
    ) -> [VariablePair] {
        var left: [String: [UInt8]] = [:]
        var right: [String: [UInt8]] = [:]
        var described: [String: (role: Role, layer: String?)] = [:]
        for (inB, bundle) in [(false, a), (true, b)] {
            for key in bundle.variables.map(\.key) {
                let (name, role, layer) = name(inB, key)
                if inB {
                    if right[name] == nil { right[name] = key }
                    described[name] = (role, layer)
                } else {
                    if left[name] == nil { left[name] = key }
                    if described[name] == nil { described[name] = (role, layer) }
                }
            }
        }
        return Set(left.keys).union(right.keys).sorted().map { name in
            VariablePair(name: name, a: left[name], b: right[name], role: described[name]!.role, layer: described[name]!.layer)
        }
    }
}
