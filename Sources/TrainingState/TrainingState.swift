import TensorBundle

/// The training state a checkpoint holds, as a person thinks of it: variables by the names
/// they were given, grouped by layer, each with its optimizer slots.
///
/// TF2 checkpoints say it in their object graph: `full_name` per saved tensor, TF2 optimizer
/// slots as `slot_variables`, Keras 3 optimizer slots as lists parallel to the optimizer's
/// `_trainable_variables` (`_momentums/3` belongs to `_trainable_variables/3`, confirmed by
/// shape). TF1 checkpoints name variables directly and their slots by convention
/// (`var/Adam`, `var/Adam_1`, `var/Momentum`, …, with `beta1_power` and `global_step` beside).
public struct TrainingState: Sendable {
    /// Every stored tensor, by key.
    public let variables: [String: TrainedVariable]
    /// Problems of the object graph that was read (nil without one).
    public let graphIssues: [RecordIssue]?
    /// The slots of each variable (by its key), by slot name.
    private let slotsByVariable: [String: [String: String]]

    /// The training state of the local `bundle`: from its object graph when it has one that
    /// reads, else by TF1 conventions.
    public init(bundle: CheckpointBundle) {
        var graph: [UInt8]? = nil
        if case .strings(let strings)? = (try? bundle.value(forKey: Array(ObjectGraph.key.utf8)))?.contents, strings.count == 1 {
            graph = strings[0]
        }
        self.init(bundle: bundle, objectGraph: graph)
    }

    /// The training state of `bundle` given the bytes of its object graph (read by the caller:
    /// a remote bundle's tensors are not mapped); nil or unreadable bytes mean TF1 conventions.
    /// Shapes confirm pairings (a slot has its variable's shape). Every tensor gets a name of
    /// its own, byte-identical copies aside (see ``distinct(_:keys:entries:)``).
    public init(bundle: CheckpointBundle, objectGraph: [UInt8]?) {
        var entries: [String: BundleEntry] = [:]
        var keys: [String] = []
        for record in bundle.variables {
            guard case .success(let entry) = record.entry, let key = String(validating: record.key, as: UTF8.self) else { continue }
            keys.append(key)
            entries[key] = entry
        }
        let shapes = entries.mapValues(\.shape)
        let state =
            if let objectGraph, let graph = try? ObjectGraph.decode(objectGraph) {
                TrainingState(graph: graph, keys: keys, shapes: shapes)
            } else {
                TrainingState(tf1Keys: keys, shapes: shapes)
            }
        self.init(variables: Self.distinct(state.variables, keys: keys, entries: entries), graphIssues: state.graphIssues)
    }

    /// `variables` with one name per tensor. Where tensors stored under several keys share a
    /// name, either all are byte-identical copies of the first stored (same dtype, shape, size
    /// and checksum, not partitioned): they keep the name, the others marked as its copies; or
    /// they differ (two TF2 variables left with the default name `Variable`): each is called
    /// by its key, so that no tool mistakes one for the other.
    static func distinct(
        _ variables: [String: TrainedVariable], keys: [String], entries: [String: BundleEntry]
    ) -> [String: TrainedVariable] {
        var keysByName: [String: [String]] = [:]
        for key in keys { if let variable = variables[key] { keysByName[variable.name, default: []].append(key) } }
        var result = variables
        for group in keysByName.values where group.count > 1 {
            let first = group[0]
            let copies = group.dropFirst().allSatisfy { key in
                guard let original = entries[first], let entry = entries[key], !original.isPartitioned, !entry.isPartitioned else {
                    return false
                }
                return (original.dtype, original.size, original.crc32c) == (entry.dtype, entry.size, entry.crc32c)
                    && original.shape == entry.shape
            }
            for key in group {
                guard let variable = variables[key] else { continue }
                if !copies {
                    result[key] = TrainedVariable(key: key, name: key, layer: variable.layer, role: variable.role)
                } else if key != first {
                    result[key] = TrainedVariable(key: key, name: variable.name, layer: variable.layer, role: variable.role, copyOf: first)
                }
            }
        }
        return result
    }

    /// The state an object graph describes, for the stored `keys`.
    public init(graph: ObjectGraph, keys: [String], shapes: [String: TensorShape]) {
        var byKey: [String: TrainedVariable] = [:]
        var attributeOfNode: [Int: ObjectGraph.Attribute] = [:]
        for (index, node) in graph.nodes.enumerated() {
            if let value = node.attributes.first(where: { $0.name == "VARIABLE_VALUE" }) ?? node.attributes.first {
                attributeOfNode[index] = value
            }
        }
        func name(_ attribute: ObjectGraph.Attribute) -> String {
            attribute.fullName.isEmpty ? attribute.checkpointKey : attribute.fullName
        }

        // Slots, both ways of recording them.
        var slots: [String: (variable: String, name: String)] = [:]
        for node in graph.nodes {
            for reference in node.slots {
                guard let slot = attributeOfNode[reference.slotNode], let variable = attributeOfNode[reference.variableNode] else {
                    continue
                }
                slots[slot.checkpointKey] = (variable.checkpointKey, reference.slotName)
            }
        }
        var optimizerNodes = Set<Int>()
        var trained = Set<String>()
        for (index, node) in graph.nodes.enumerated() {
            guard let trainables = node.children.first(where: { $0.name == "_trainable_variables" }) else { continue }
            optimizerNodes.insert(index)
            let variables = graph.nodes[trainables.node].children.map { attributeOfNode[$0.node] }
            trained.formUnion(variables.compactMap { $0?.checkpointKey })
            for list in node.children where !["_variables", "_trainable_variables", "_trainable_variables_indices"].contains(list.name) {
                let members = graph.nodes[list.node].children
                guard members.count == variables.count, !members.isEmpty,
                    members.enumerated().allSatisfy({ $0.element.name == String($0.offset) })
                else { continue }
                for (member, variable) in zip(members, variables) {
                    guard let slot = attributeOfNode[member.node], let variable, slots[slot.checkpointKey] == nil,
                        let shape = shapes[slot.checkpointKey], shape == shapes[variable.checkpointKey]
                    else { continue }
                    slots[slot.checkpointKey] = (
                        variable.checkpointKey, Self.slotName(slot: name(slot), variable: name(variable), list: list.name)
                    )
                }
            }
        }
        // Everything under an optimizer that is not a slot or a trained variable is its state.
        var underOptimizer = Set<String>()
        for optimizer in optimizerNodes {
            for key in Self.keys(below: optimizer, in: graph, attributes: attributeOfNode) { underOptimizer.insert(key) }
        }
        var attributesByKey: [String: ObjectGraph.Attribute] = [:]
        for attribute in attributeOfNode.values { attributesByKey[attribute.checkpointKey] = attribute }
        for key in keys {
            guard let attribute = attributesByKey[key] else {
                byKey[key] = TrainedVariable(key: key, name: key, layer: nil, role: .bookkeeping)
                continue
            }
            let variableName = name(attribute)
            if let slot = slots[key] {
                let layer = attributesByKey[slot.variable].flatMap { Self.layer(of: name($0)) }
                byKey[key] = TrainedVariable(key: key, name: variableName, layer: layer, role: .slot(of: slot.variable, name: slot.name))
            } else if underOptimizer.contains(key) && !trained.contains(key) {
                byKey[key] = TrainedVariable(key: key, name: variableName, layer: nil, role: .optimizerState)
            } else if key.hasPrefix("save_counter/") {
                byKey[key] = TrainedVariable(key: key, name: variableName, layer: nil, role: .bookkeeping)
            } else {
                byKey[key] = TrainedVariable(key: key, name: variableName, layer: Self.layer(of: variableName), role: .weight)
            }
        }
        self.init(variables: byKey, graphIssues: graph.issues)
    }

    /// The state of a checkpoint without an object graph, by TF1's naming conventions.
    public init(tf1Keys keys: [String], shapes: [String: TensorShape]) {
        let present = Set(keys)
        var byKey: [String: TrainedVariable] = [:]
        for key in keys {
            if let (variable, slot) = TF1Slots.split(key), present.contains(variable), shapes[variable] == shapes[key] {
                byKey[key] = TrainedVariable(key: key, name: key, layer: Self.layer(of: variable), role: .slot(of: variable, name: slot))
            } else if TF1Slots.optimizerState.contains(key) || TF1Slots.optimizerStatePrefixes.contains(where: { key.hasPrefix($0) }) {
                byKey[key] = TrainedVariable(key: key, name: key, layer: nil, role: .optimizerState)
            } else if key == "global_step" || key == ObjectGraph.key {
                byKey[key] = TrainedVariable(key: key, name: key, layer: nil, role: .bookkeeping)
            } else {
                byKey[key] = TrainedVariable(key: key, name: key, layer: Self.layer(of: key), role: .weight)
            }
        }
        self.init(variables: byKey, graphIssues: nil)
    }

    private init(variables: [String: TrainedVariable], graphIssues: [RecordIssue]?) {
        var slots: [String: [String: String]] = [:]
        for variable in variables.values {
            if case .slot(let owner, let name) = variable.role { slots[owner, default: [:]][name] = variable.key }
        }
        self.variables = variables
        self.graphIssues = graphIssues
        self.slotsByVariable = slots
    }

    /// The slots of the variable stored under `key`, by slot name.
    public func slots(of key: String) -> [String: String] {
        slotsByVariable[key] ?? [:]
    }

    /// `sequential/hidden` of `sequential/hidden/kernel`; nil for a name of one component.
    static func layer(of name: String) -> String? {
        guard let slash = name.lastIndex(of: "/") else { return nil }
        return String(name[..<slash])
    }

    /// The slot's name: what its full name adds to its variable's (Keras names a slot
    /// `OPTIMIZER/VARIABLE_PATH_WITH_UNDERSCORES_SLOT`), else the list's name in the singular.
    static func slotName(slot: String, variable: String, list: String) -> String {
        let flattened = variable.replacing("/", with: "_") + "_"
        let bare = slot.split(separator: "/", maxSplits: 1).last.map(String.init) ?? slot
        if bare.hasPrefix(flattened), bare.count > flattened.count { return String(bare.dropFirst(flattened.count)) }
        var singular = list.hasPrefix("_") ? String(list.dropFirst()) : list
        if singular.hasSuffix("ies") { singular = singular.dropLast(3) + "y" } else if singular.hasSuffix("s") { singular.removeLast() }
        return singular
    }

    /// The keys of the tensors saved by `node` and every node below it.
    static func keys(below node: Int, in graph: ObjectGraph, attributes: [Int: ObjectGraph.Attribute]) -> Set<String> {
        var seen: Set<Int> = [node]
        var stack = [node]
        var keys = Set<String>()
        while let current = stack.popLast() {
            if let attribute = attributes[current] { keys.insert(attribute.checkpointKey) }
            for child in graph.nodes[current].children where seen.insert(child.node).inserted { stack.append(child.node) }
        }
        return keys
    }
}

/// TF1 `tf.compat.v1.train` optimizers' slot naming: `VAR/OPTIMIZER` and `VAR/OPTIMIZER_1`.
enum TF1Slots {
    /// Slot suffixes and the names TF1 gives the slots.
    static let names: [String: String] = [
        "Adam": "m", "Adam_1": "v", "Momentum": "momentum", "RMSProp": "rms", "RMSProp_1": "momentum",
        "Adagrad": "accumulator", "AdagradDA": "gradient_accumulator", "AdagradDA_1": "gradient_squared_accumulator",
        "Ftrl": "accum", "Ftrl_1": "linear", "Adadelta": "accum", "Adadelta_1": "accum_update", "ProximalAdagrad": "accumulator",
    ]

    /// Non-slot optimizer variables.
    static let optimizerState: Set<String> = ["beta1_power", "beta2_power"]
    static let optimizerStatePrefixes = ["beta1_power_", "beta2_power_"]

    /// The variable and slot name of a slot key, if `key` is named like one.
    static func split(_ key: String) -> (variable: String, slot: String)? {
        guard let slash = key.lastIndex(of: "/") else { return nil }
        let suffix = String(key[key.index(after: slash)...])
        guard let name = names[suffix] else { return nil }
        return (String(key[..<slash]), name)
    }
}
