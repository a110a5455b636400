/// A TF2 checkpoint's object graph (`TrackableObjectGraph`, stored in the string scalar
/// `_CHECKPOINTABLE_OBJECT_GRAPH`): the objects that owned the saved tensors, how they hang
/// together, and which optimizer slots belong to which variable.
public struct ObjectGraph: Sendable, Hashable {
    /// A named edge to another node (`ObjectReference`).
    public struct Child: Sendable, Hashable {
        public var node: Int
        public var name: String

        public init(node: Int, name: String) {
            self.node = node
            self.name = name
        }
    }

    /// A tensor a node saved (`SerializedTensor`).
    public struct Attribute: Sendable, Hashable {
        /// The attribute's name on the object (`VARIABLE_VALUE`).
        public var name: String
        /// The variable's own name when it was created (`sequential/dense/kernel`).
        public var fullName: String
        /// The key the tensor is stored under in the bundle.
        public var checkpointKey: String

        public init(name: String, fullName: String, checkpointKey: String) {
            self.name = name
            self.fullName = fullName
            self.checkpointKey = checkpointKey
        }
    }

    /// An optimizer slot (`SlotVariableReference`), listed on the optimizer's node.
    public struct SlotReference: Sendable, Hashable {
        public var variableNode: Int
        public var slotName: String
        public var slotNode: Int

        public init(variableNode: Int, slotName: String, slotNode: Int) {
            self.variableNode = variableNode
            self.slotName = slotName
            self.slotNode = slotNode
        }
    }

    /// One object (`TrackableObject`).
    public struct Node: Sendable, Hashable {
        public var children: [Child]
        public var attributes: [Attribute]
        public var slots: [SlotReference]

        public init(children: [Child] = [], attributes: [Attribute] = [], slots: [SlotReference] = []) {
            self.children = children
            self.attributes = attributes
            self.slots = slots
        }
    }

    /// The key of the string tensor a TF2 checkpoint keeps its object graph in.
    public static let key = "_CHECKPOINTABLE_OBJECT_GRAPH"

    /// Node 0 is the root (the `tf.train.Checkpoint` that saved).
    public var nodes: [Node]
    /// Oddities: wrong wire types, unknown fields, references to nodes that do not exist.
    public var issues: [RecordIssue] = []

    public init(nodes: [Node]) {
        self.nodes = nodes
    }

    /// Decodes a serialized `TrackableObjectGraph`; references to nodes that do not exist are
    /// issues, and dropped.
    public static func decode(_ bytes: [UInt8]) throws(ProtoError) -> ObjectGraph {
        var checker = FieldChecker(message: "object graph")
        var bodies: [ArraySlice<UInt8>] = []
        try checker.decode(bytes[...]) { checker, field in
            if field.number == 1, let body = checker.bytes(field, "nodes") {
                bodies.append(body)
            } else if field.number != 1 {
                checker.unknown(field)
            }
        }
        var nodes: [Node] = []
        for body in bodies { nodes.append(try node(body, checker: &checker)) }
        let valid = 0..<nodes.count
        for index in nodes.indices {
            let children = nodes[index].children.filter { valid.contains($0.node) }
            let slots = nodes[index].slots.filter { valid.contains($0.variableNode) && valid.contains($0.slotNode) }
            if children.count != nodes[index].children.count || slots.count != nodes[index].slots.count {
                checker.issues.append(RecordIssue(.unknownField, "object graph node \(index) refers to a node that does not exist"))
            }
            nodes[index].children = children
            nodes[index].slots = slots
        }
        var graph = ObjectGraph(nodes: nodes)
        graph.issues = checker.issues
        return graph
    }

    private static func node(_ body: ArraySlice<UInt8>, checker: inout FieldChecker) throws(ProtoError) -> Node {
        var node = Node()
        var children: [ArraySlice<UInt8>] = []
        var attributes: [ArraySlice<UInt8>] = []
        var slots: [ArraySlice<UInt8>] = []
        try checker.decode(body) { checker, field in
            switch field.number {
            case 1: if let bytes = checker.bytes(field, "children") { children.append(bytes) }
            case 2: if let bytes = checker.bytes(field, "attributes") { attributes.append(bytes) }
            case 3: if let bytes = checker.bytes(field, "slot_variables") { slots.append(bytes) }
            case 4, 5: break  // registered_saver, has_checkpoint_values: not needed for names
            default: checker.unknown(field)
            }
        }
        for bytes in children {
            var child = Child(node: -1, name: "")
            try checker.decode(bytes) { checker, field in
                switch field.number {
                case 1: if let value = checker.varint(field, "children.node_id") { child.node = Int(Int64(int32Field: value)) }
                case 2: if let value = checker.bytes(field, "children.local_name") { child.name = String(decoding: value, as: UTF8.self) }
                default: checker.unknown(field)
                }
            }
            node.children.append(child)
        }
        for bytes in attributes {
            var attribute = Attribute(name: "", fullName: "", checkpointKey: "")
            try checker.decode(bytes) { checker, field in
                switch field.number {
                case 1: if let value = checker.bytes(field, "attributes.name") { attribute.name = String(decoding: value, as: UTF8.self) }
                case 2:
                    if let value = checker.bytes(field, "attributes.full_name") {
                        attribute.fullName = String(decoding: value, as: UTF8.self)
                    }
                case 3:
                    if let value = checker.bytes(field, "attributes.checkpoint_key") {
                        attribute.checkpointKey = String(decoding: value, as: UTF8.self)
                    }
                default: checker.unknown(field)
                }
            }
            node.attributes.append(attribute)
        }
        for bytes in slots {
            var slot = SlotReference(variableNode: -1, slotName: "", slotNode: -1)
            try checker.decode(bytes) { checker, field in
                switch field.number {
                case 1:
                    if let value = checker.varint(field, "slot_variables.original_variable_node_id") {
                        slot.variableNode = Int(Int64(int32Field: value))
                    }
                case 2:
                    if let value = checker.bytes(field, "slot_variables.slot_name") {
                        slot.slotName = String(decoding: value, as: UTF8.self)
                    }
                case 3:
                    if let value = checker.varint(field, "slot_variables.slot_variable_node_id") {
                        slot.slotNode = Int(Int64(int32Field: value))
                    }
                default: checker.unknown(field)
                }
            }
            node.slots.append(slot)
        }
        return node
    }
}
