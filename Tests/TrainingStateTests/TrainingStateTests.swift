import FixtureSupport
import Foundation
import TensorBundle
import Testing
import TrainingState

@Suite struct TrainingStateTests {
    static func state(_ prefix: String) throws -> TrainingState {
        TrainingState(bundle: try CheckpointBundle(prefix: Fixtures.path(prefix)))
    }

    /// Keras 3 + Adam: the object graph names every variable; its slots are the optimizer's
    /// `_momentums`/`_velocities` lists, each paired with the trained variable at its index.
    @Test func kerasAdamNamesLayersAndSlots() throws {
        for step in [1, 2, 40] {
            let state = try Self.state("tf2_keras_adam/ckpt-\(step)")
            #expect(state.graphIssues == [])
            let weights = state.variables.values.filter { $0.role == .weight }.sorted { $0.name < $1.name }
            #expect(
                weights.map(\.name) == [
                    "sequential/hidden/bias", "sequential/hidden/kernel", "sequential/logits/bias", "sequential/logits/kernel",
                    "sequential/middle/bias", "sequential/middle/kernel",
                ])
            #expect(weights.allSatisfy { $0.key.hasPrefix("optimizer/_trainable_variables/") })
            #expect(Set(weights.compactMap(\.layer)) == ["sequential/hidden", "sequential/middle", "sequential/logits"])
            for weight in weights {
                let slots = state.slots(of: weight.key)
                #expect(Set(slots.keys) == ["momentum", "velocity"], "\(weight.name)")
                for (slotName, slotKey) in slots {
                    let slot = try #require(state.variables[slotKey])
                    // Keras names a slot after its variable: the pairing by list index agrees with the names.
                    #expect(slot.name == "adam/" + weight.name.replacing("/", with: "_") + "_" + slotName)
                    #expect(slot.layer == weight.layer)
                }
            }
            let others = state.variables.values.filter {
                if case .slot = $0.role { return false }; return $0.role != .weight
            }
            #expect(Set(others.filter { $0.role == .optimizerState }.map(\.name)) == ["adam/iteration", "adam/learning_rate"])
            #expect(
                Set(others.filter { $0.role == .bookkeeping }.map(\.key)) == ["save_counter/.ATTRIBUTES/VARIABLE_VALUE", ObjectGraph.key])
            #expect(state.variables.count == 22)
        }
    }

    /// One name per tensor. A SavedModel stores each Keras weight twice (the object graph
    /// reaches it by two paths): the copies keep its name, marked as copies of the first stored.
    /// Two variables TensorFlow left with its default name `Variable` are called by their keys.
    @Test func everyTensorHasANameOfItsOwn() throws {
        let export = try Self.state("layouts/models/mlp/2/variables/variables")
        let copies = export.variables.values.filter { $0.copyOf != nil }
        #expect(copies.count == 4)
        for copy in copies {
            let original = try #require(export.variables[copy.copyOf!])
            #expect(original.name == copy.name && original.copyOf == nil && original.key < copy.key)
        }
        #expect(
            export.variables.values.filter { $0.copyOf == nil && $0.role == .weight }.map(\.name).sorted() == [
                "mlp/hidden/bias", "mlp/hidden/kernel", "mlp/logits/bias", "mlp/logits/kernel",
            ])
        let bundle = try CheckpointBundle(prefix: Fixtures.path("unnamed/ckpt-1"))
        guard case .strings(let graph) = try bundle.value(forKey: Array(ObjectGraph.key.utf8)).contents else {
            Issue.record("no object graph")
            return
        }
        let keys = ["first/.ATTRIBUTES/VARIABLE_VALUE", "second/.ATTRIBUTES/VARIABLE_VALUE"]
        let given = TrainingState(graph: try ObjectGraph.decode(graph[0]), keys: keys, shapes: [:])
        #expect(keys.map { given.variables[$0]?.name } == ["Variable", "Variable"])  // what the graph says
        let state = TrainingState(bundle: bundle)
        #expect(keys.map { state.variables[$0]?.name } == keys && keys.allSatisfy { state.variables[$0]?.copyOf == nil })
    }

    /// A TF2 checkpoint of plain variables: names from the graph, no optimizer.
    @Test func plainTF2Variables() throws {
        let state = try Self.state("sharded_tf2/ckpt-1")
        #expect(state.variables["big/.ATTRIBUTES/VARIABLE_VALUE"]?.role == .weight)
        #expect(state.variables.values.allSatisfy { $0.slotOf == nil })
    }

    /// TF1 Adam: slots by name (`VAR/Adam` is m, `VAR/Adam_1` is v), `beta*_power` optimizer state.
    @Test func tf1AdamByConvention() throws {
        let state = try Self.state("tf1_saver/model.ckpt-50")
        #expect(state.graphIssues == nil)
        #expect(state.slots(of: "dense/kernel") == ["m": "dense/kernel/Adam", "v": "dense/kernel/Adam_1"])
        #expect(state.slots(of: "dense/bias") == ["m": "dense/bias/Adam", "v": "dense/bias/Adam_1"])
        #expect(state.variables["dense/kernel"]?.layer == "dense")
        #expect(state.variables["dense/kernel/Adam"]?.layer == "dense")
        #expect(state.variables["beta1_power"]?.role == .optimizerState)
        #expect(state.variables["global_step"]?.role == .bookkeeping)
    }

    /// A slot-like name whose "variable" is absent, or whose shape differs, is not a slot.
    @Test func conventionsAreConfirmedByShape() {
        let shapes: [String: TensorShape] = [
            "w": TensorShape([4]), "w/Adam": TensorShape([4]), "w/Adam_1": TensorShape([5]), "x/Momentum": TensorShape([2]),
        ]
        let state = TrainingState(tf1Keys: Array(shapes.keys), shapes: shapes)
        #expect(state.slots(of: "w") == ["m": "w/Adam"])
        #expect(state.variables["w/Adam_1"]?.role == .weight)
        #expect(state.variables["x/Momentum"]?.role == .weight)
    }

    /// TF2's own slot references (legacy optimizers) pair slots directly.
    @Test func slotReferencesOfTheGraph() {
        var graph = ObjectGraph(nodes: [
            ObjectGraph.Node(children: [.init(node: 1, name: "w"), .init(node: 2, name: "opt")]),
            ObjectGraph.Node(attributes: [.init(name: "VARIABLE_VALUE", fullName: "dense/w", checkpointKey: "w/.ATTRIBUTES/VARIABLE_VALUE")]
            ),
            ObjectGraph.Node(slots: [.init(variableNode: 1, slotName: "m", slotNode: 3)]),
            ObjectGraph.Node(attributes: [
                .init(name: "VARIABLE_VALUE", fullName: "dense/w/m", checkpointKey: "w/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE")
            ]),
        ])
        graph.issues = []
        let keys = ["w/.ATTRIBUTES/VARIABLE_VALUE", "w/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE"]
        let state = TrainingState(graph: graph, keys: keys, shapes: Dictionary(uniqueKeysWithValues: keys.map { ($0, TensorShape([3])) }))
        #expect(state.slots(of: keys[0]) == ["m": keys[1]])
        #expect(state.variables[keys[0]]?.name == "dense/w" && state.variables[keys[0]]?.layer == "dense")
    }

    /// The graph decoder is strict: a truncated graph fails, a reference to a missing node is an issue.
    @Test func hostileGraphs() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-1"))
        guard case .strings(let strings) = try bundle.value(forKey: Array(ObjectGraph.key.utf8)).contents else {
            Issue.record("the object graph is not a string tensor")
            return
        }
        let bytes = strings[0]
        #expect(try ObjectGraph.decode(bytes).nodes.count > 30)
        #expect(throws: ProtoError.self) { try ObjectGraph.decode(Array(bytes.dropLast(3))) }
        // One node whose child points at node 1000 (node_id 1000 = varint E8 07).
        let decoded = try ObjectGraph.decode([0x0A, 0x05, 0x0A, 0x03, 0x08, 0xE8, 0x07])
        #expect(decoded.nodes.count == 1 && decoded.nodes[0].children.isEmpty && decoded.issues.count == 1)
    }
}
