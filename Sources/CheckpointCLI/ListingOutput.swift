import BinaryCoding
import JSON
import TensorBundle
import TrainingState

/// A checkpoint's variables as text or JSON, like TensorFlow's `inspect_checkpoint`, by the
/// names people gave them when the training state says so.
enum ListingOutput {
    /// The listing: with a training state, each variable by its name (once, though a SavedModel
    /// may store copies under other keys), followed by its optimizer slots (`↳ momentum`), then
    /// optimizer state and bookkeeping; without one, every tensor by its key in stored order.
    /// Bytes count everything stored.
    static func text(prefix: String, summaries: [VariableSummary], shardCount: Int64?, state: TrainingState?) -> [String] {
        let listed = state.map { distinct(summaries, state: $0) } ?? summaries
        let parameters = listed.saturatingSum(of: \.parameters)
        let bytes = summaries.saturatingSum(of: \.size)
        var out =
            "\(prefix): \(listed.count) variables, \(Formatting.grouped(parameters)) parameters, "
            + "\(Formatting.bytes(bytes)) in \(shardCount.map(String.init) ?? "?") shard(s)"
        if listed.count < summaries.count {
            out += "; \(summaries.count - listed.count) byte-identical copies under other keys not listed (--keys lists every key)"
        }
        var rows = [["NAME", "DTYPE", "SHAPE", "SHARD", "BYTES", "PARAMS"]]
        func row(_ summary: VariableSummary, named name: String) -> [String] {
            [
                name, summary.dtype.name, Formatting.shape(summary.shape), summary.shard.map(String.init) ?? "\(summary.sliceCount) slices",
                Formatting.grouped(summary.size), Formatting.grouped(summary.parameters),
            ]
        }
        if let state {
            for (summary, name) in ordered(listed, state: state) { rows.append(row(summary, named: name)) }
        } else {
            for summary in summaries { rows.append(row(summary, named: summary.name)) }
        }
        return [out] + Formatting.table(rows, rightAligned: [3, 4, 5]).map { "  " + $0 }
    }

    /// The variables in reading order with their display names: model variables in stored
    /// order, each followed by its slots (`  ↳ SLOT`), then optimizer state, then bookkeeping.
    private static func ordered(_ summaries: [VariableSummary], state: TrainingState) -> [(VariableSummary, String)] {
        let byKey = Dictionary(summaries.map { (String(decoding: $0.key, as: UTF8.self), $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [(VariableSummary, String)] = []
        var later: [(VariableSummary, String)] = []
        var last: [(VariableSummary, String)] = []
        for summary in summaries {
            let key = String(decoding: summary.key, as: UTF8.self)
            guard let variable = state.variables[key] else {
                rows.append((summary, summary.name))
                continue
            }
            switch variable.role {
            case .weight:
                rows.append((summary, variable.name))
                for (slot, slotKey) in state.slots(of: key).sorted(by: { $0.key < $1.key }) {
                    if let slotSummary = byKey[slotKey] { rows.append((slotSummary, "  ↳ " + slot)) }
                }
            case .slot:
                continue
            case .optimizerState:
                later.append((summary, variable.name))
            case .bookkeeping:
                last.append((summary, variable.name))
            }
        }
        return rows + later + last
    }

    /// The listing as JSON: each variable once, a byte-identical copy's key in its original's
    /// `also_stored_as`.
    static func json(prefix: String, summaries: [VariableSummary], shardCount: Int64?, state: TrainingState) -> JSONValue {
        var copies: [String: [String]] = [:]
        for variable in state.variables.values.sorted(by: { $0.key < $1.key }) {
            if let original = variable.copyOf { copies[original, default: []].append(variable.key) }
        }
        let listed = distinct(summaries, state: state)
        return .object([
            ("prefix", .string(prefix)),
            ("shards", shardCount.map(JSONValue.int) ?? .null),
            ("parameters", .int(listed.saturatingSum(of: \.parameters))),
            ("bytes", .int(summaries.saturatingSum(of: \.size))),
            (
                "variables",
                .array(
                    listed.map { summary in
                        guard case .object(let members) = variable(summary, state: state),
                            let also = copies[String(decoding: summary.key, as: UTF8.self)]
                        else { return variable(summary, state: state) }
                        return .object(members + [("also_stored_as", .array(also.map(JSONValue.string)))])
                    })
            ),
        ])
    }

    /// `summaries` without the byte-identical copies `state` found.
    private static func distinct(_ summaries: [VariableSummary], state: TrainingState) -> [VariableSummary] {
        summaries.filter { state.variables[String(decoding: $0.key, as: UTF8.self)]?.copyOf == nil }
    }

    /// The JSON fields every tool uses to describe one variable: `name` as a person calls it,
    /// `key` as it is stored, and with a training state its `layer`, `role` and, for a slot,
    /// `slot_of` (the variable's key) and `slot`.
    static func variable(_ summary: VariableSummary, state: TrainingState? = nil) -> JSONValue {
        let trained = state?.variables[String(decoding: summary.key, as: UTF8.self)]
        var members: [(String, JSONValue)] = [
            ("name", .string(trained?.name ?? summary.name)),
            ("key", .string(summary.name)),
            ("dtype", .string(summary.dtype.name)),
            ("shape", .array(summary.shape.dimensions.map(JSONValue.int))),
            ("shard", summary.shard.map(JSONValue.int) ?? .null),
            ("offset", summary.offset.map(JSONValue.int) ?? .null),
            ("size", .int(summary.size)),
            ("parameters", .int(summary.parameters)),
            ("slices", .int(Int64(summary.sliceCount))),
        ]
        if let trained {
            members.append(("layer", trained.layer.map(JSONValue.string) ?? .null))
            switch trained.role {
            case .weight: members.append(("role", .string("weight")))
            case .slot(let variable, let slot):
                members += [("role", .string("slot")), ("slot_of", .string(variable)), ("slot", .string(slot))]
            case .optimizerState: members.append(("role", .string("optimizer")))
            case .bookkeeping: members.append(("role", .string("bookkeeping")))
            }
        }
        return .object(members)
    }
}
