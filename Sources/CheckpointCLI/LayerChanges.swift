import Diffing

/// How much one layer moved between two checkpoints: its weights and its optimizer state
/// (slots of its weights), each as one relative change ‖b−a‖/‖a‖ over its variables.
struct LayerChange {
    let layer: String
    var weights = DiffStatistics()
    var optimizer = DiffStatistics()
    var parameters: Int64 = 0

    /// The layers of `report`'s variables, those whose weights moved most first, then those
    /// whose weights did not change, by name.
    static func of(_ report: DiffReport) -> [LayerChange] {
        var layers: [String: LayerChange] = [:]
        for variable in report.variables {
            guard let layer = variable.layer else { continue }
            var change = layers[layer] ?? LayerChange(layer: layer)
            let statistics = variable.numeric ? variable.statistics : nil
            switch variable.role {
            case .weight:
                change.parameters += variable.summary.parameters
                if let statistics { change.weights.merge(statistics) }
            case .optimizer:
                if let statistics { change.optimizer.merge(statistics) }
            case .bookkeeping:
                break
            }
            layers[layer] = change
        }
        return layers.values.sorted { ($0.weights.relativeL2 ?? -1, $1.layer) > ($1.weights.relativeL2 ?? -1, $0.layer) }
    }
}
