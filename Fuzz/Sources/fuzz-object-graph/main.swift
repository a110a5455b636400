import FuzzSupport
import TensorBundle
import TrainingState

// The object graph of a TF2 checkpoint (a `TrackableObjectGraph` proto in a string tensor):
// decoding any bytes, and the training state built from what decodes (node references out of
// range, cycles, slot references to anything).
FuzzWorkspace.run(seeds: {
    try FuzzWorkspace.files(under: FuzzWorkspace.fixtures) { $0.hasSuffix(".index") }.compactMap { path -> [UInt8]? in
        let bundle = try CheckpointBundle(prefix: String(path.dropLast(".index".count)))
        guard case .strings(let strings)? = (try? bundle.value(forKey: Array(ObjectGraph.key.utf8)))?.contents else { return nil }
        return strings.first
    }
}) { input in
    guard let graph = try? ObjectGraph.decode(input) else { return }
    let keys = graph.nodes.flatMap { $0.attributes.map(\.checkpointKey) }
    let shapes = Dictionary(keys.map { ($0, TensorShape([Int64($0.utf8.count % 3)])) }, uniquingKeysWith: { first, _ in first })
    let state = TrainingState(graph: graph, keys: keys, shapes: shapes)
    for (key, variable) in state.variables {
        precondition(variable.key == key, "a variable filed under another key")
        if let owner = variable.slotOf { precondition(state.variables[owner] != nil, "a slot of a variable that is not stored") }
    }
}
