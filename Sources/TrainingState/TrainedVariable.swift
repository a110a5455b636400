/// What one stored tensor is in the training it comes from.
public struct TrainedVariable: Sendable, Hashable {
    /// What the tensor does in training.
    public enum Role: Sendable, Hashable {
        /// A model weight (a variable the optimizer trains, or any other model variable).
        case weight
        /// An optimizer slot of the variable stored under `of` (its key), named `name`
        /// (`momentum`, `velocity`, `m`, `v`, …).
        case slot(of: String, name: String)
        /// Optimizer state that is not a slot: the step count, the learning rate, Adam's
        /// `beta1_power`.
        case optimizerState
        /// Bookkeeping of the checkpoint itself (`save_counter`, `global_step`, the object graph).
        case bookkeeping
    }

    /// The key the tensor is stored under.
    public let key: String
    /// The name a person gave it: the variable's `full_name` from the object graph, or the key
    /// of a TF1 checkpoint.
    public let name: String
    /// The layer (or scope) the variable belongs to, for a slot its variable's layer.
    public let layer: String?
    public let role: Role
    /// The key of the tensor this one is a byte-identical copy of, stored under the same name
    /// (a SavedModel reaches each Keras weight by two paths and stores it under both).
    public let copyOf: String?

    public init(key: String, name: String, layer: String?, role: Role, copyOf: String? = nil) {
        self.key = key
        self.name = name
        self.layer = layer
        self.role = role
        self.copyOf = copyOf
    }

    /// The key of the variable this is a slot of, if it is a slot.
    public var slotOf: String? {
        if case .slot(let variable, _) = role { return variable }
        return nil
    }
}
