import Diffing
import TrainingState

/// How much one layer moved between two checkpoints: its weights and its optimizer state
/// (slots of its weights), each as one relative change ‖b−a‖/‖a‖ over its changed variables.
struct LayerChange {
    let layer: String
    var weights = DiffStatistics()
    var optimizer = DiffStatistics()
    var parameters: Int64 = 0

    /// The layers of `report`'s variables by `trained` (keyed by stored key), those whose
    /// weights moved most first, then those whose weights did not change, by name.
    static func of(_ report: DiffReport, trained: [String: TrainedVariable]) -> [LayerChange] {
        var layers: [String: LayerChange] = [:]
        for variable in report.variables {
            guard let state = trained[variable.summary.name], let layer = state.layer else { continue }
            var change = layers[layer] ?? LayerChange(layer: layer)
            let statistics = variable.numeric ? variable.statistics : nil
            switch state.role {
            case .weight:
                change.parameters += variable.summary.parameters
                if let statistics { change.weights.merge(statistics) }
            case .slot, .optimizerState:
                if let statistics { change.optimizer.merge(statistics) }
            case .bookkeeping:
                break
            }
            layers[layer] = change
        }
        return layers.values.sorted { ($0.weights.relativeL2 ?? -1, $1.layer) > ($1.weights.relativeL2 ?? -1, $0.layer) }
    }
}
