import BinaryCoding
import Diffing
import JSON

/// Diff reports as a readable table, JSON or CSV.
enum DiffOutput {
    /// The statistics columns, in the order JSON and CSV use.
    static let statisticNames = [
        "changed", "changed_fraction", "max_abs_diff", "mean_abs_diff", "rms_diff", "l2_a", "l2_b", "rel_l2", "cosine",
        "nan_a", "nan_b", "inf_a", "inf_b",
    ]

    /// A variable's statistics as JSON values, in ``statisticNames`` order (null where undefined).
    static func statistics(_ variable: VariableDiff) -> [JSONValue] {
        guard let s = variable.statistics else {
            if variable.status == .identical {
                return [.int(0), .double(0)] + (variable.numeric ? [.double(0), .double(0), .double(0)] : [.null, .null, .null])
                    + [JSONValue](repeating: .null, count: 8)
            }
            return [JSONValue](repeating: .null, count: statisticNames.count)
        }
        guard variable.numeric else {
            return [.int(s.changed), .double(s.changedFraction)] + [JSONValue](repeating: .null, count: statisticNames.count - 2)
        }
        return [
            .int(s.changed), .double(s.changedFraction), .double(s.maxAbsDiff), .double(s.meanAbsDiff), .double(s.rmsDiff),
            .double(s.l2A), .double(s.l2B), optional(s.relativeL2), optional(s.cosine),
            .int(s.nanA), .int(s.nanB), .int(s.infA), .int(s.infB),
        ]
    }

    /// The variables in the order people read them: weights, then optimizer state, then
    /// bookkeeping; in each, changed variables (most moved first), then added, removed,
    /// retyped or reshaped ones, then identical ones.
    static func ordered(_ report: DiffReport) -> [VariableDiff] {
        func rank(_ variable: VariableDiff) -> (Int, Int, Double) {
            let role =
                switch variable.role {
                case .weight: 0
                case .optimizer: 1
                case .bookkeeping: 2
                }
            let status =
                switch variable.status {
                case .changed: 0
                case .identical: 2
                default: 1
                }
            return (role, status, -(variable.statistics?.relativeL2 ?? -1))
        }
        return report.variables.sorted { x, y in
            let (left, right) = (rank(x), rank(y))
            return left != right ? left < right : x.name < y.name
        }
    }

    /// The alarms a diff raises: NaN or ±Inf where A had fewer, for every floating-point dtype.
    static func alarms(_ report: DiffReport) -> [(variable: VariableDiff, event: String, counts: String)] {
        report.variables.flatMap { variable -> [(VariableDiff, String, String)] in
            guard let s = variable.statistics else { return [] }
            var found: [(VariableDiff, String, String)] = []
            if s.nanB > s.nanA { found.append((variable, "NaN appeared in B", "\(s.nanB) NaN in B, \(s.nanA) in A")) }
            if s.infB > s.infA { found.append((variable, "Inf appeared in B", "\(s.infB) ±Inf in B, \(s.infA) in A")) }
            return found
        }
    }

    /// `3 of 1,000` rows changed.
    static func rows(_ rows: RowChanges) -> String {
        "\(Formatting.grouped(Int64(rows.changed))) of \(Formatting.grouped(Int64(rows.rows)))"
    }

    static func json(_ report: DiffReport, layers: [LayerChange]) -> JSONValue {
        .object([
            ("a", .string(report.a)),
            ("b", .string(report.b)),
            ("identical", .bool(report.identical)),
            ("within_tolerance", .bool(report.withinTolerance)),
            (
                "tolerance",
                report.tolerance.map { .object([("atol", .double($0.absolute)), ("rtol", .double($0.relative))]) } ?? .null
            ),
            ("layers", .array(layers.map(json))),
            ("variables", .array(report.variables.map(json))),
            ("summary", summary(report)),
        ])
    }

    private static func json(_ layer: LayerChange) -> JSONValue {
        .object([
            ("layer", .string(layer.layer)),
            ("parameters", .int(layer.parameters)),
            ("weights_rel_l2", optional(layer.weights.relativeL2)),
            ("optimizer_rel_l2", optional(layer.optimizer.relativeL2)),
        ])
    }

    private static func json(_ variable: VariableDiff) -> JSONValue {
        let fields: [(String, JSONValue)] = [
            ("name", .string(variable.name)),
            ("key", .string(variable.summary.name)),
            ("role", .string(variable.role.rawValue)),
            ("layer", variable.layer.map(JSONValue.string) ?? .null),
            ("status", .string(variable.status.rawValue)),
            ("dtype", .string(variable.summary.dtype.name)),
            ("shape", .array(variable.summary.shape.dimensions.map(JSONValue.int))),
            ("rows", variable.rows.map { .int(Int64($0.rows)) } ?? .null),
            ("changed_rows", variable.rows.map { .int(Int64($0.changed)) } ?? .null),
        ]
        return .object(fields + Array(zip(statisticNames, statistics(variable))))
    }

    private static func summary(_ report: DiffReport) -> JSONValue {
        let group = report.mostMovedGroup
        let weights = report.weights
        return .object([
            ("variables", .int(Int64(report.variables.count))),
            ("changed_variables", .int(Int64(report.variables.filter { $0.status != .identical }.count))),
            ("parameters", .int(report.variables.saturatingSum(of: \.summary.parameters))),
            ("changed_parameters", .int(report.total.changed)),
            ("weight_parameters", .int(weights.count)),
            ("changed_weight_parameters", .int(weights.changed)),
            ("global_rel_l2", optional(report.weightsRelativeChange)),
            ("optimizer_rel_l2", optional(report.optimizerRelativeChange)),
            ("most_moved_group", group.map { .string($0.name) } ?? .null),
            ("most_moved_group_rel_l2", group.map { .double($0.relativeChange) } ?? .null),
            ("seconds", .double(report.seconds)),
        ])
    }

    private static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    static func csv(_ report: DiffReport) -> String {
        let headers = ["name", "key", "role", "layer", "status", "dtype", "shape", "rows", "changed_rows"] + statisticNames
        var out = headers.joined(separator: ",") + "\n"
        for variable in report.variables {
            let cells =
                [
                    quote(variable.name), quote(variable.summary.name), variable.role.rawValue, quote(variable.layer ?? ""),
                    variable.status.rawValue, variable.summary.dtype.name,
                    variable.summary.shape.dimensions.map(String.init).joined(separator: "x"),
                    variable.rows.map { String($0.rows) } ?? "", variable.rows.map { String($0.changed) } ?? "",
                ] + statistics(variable).map { value in value == .null ? "" : value.serialized() }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    /// A CSV field: control characters escaped as in text output (a name from a checkpoint's
    /// object graph may hold any), quoted when it holds a comma or a quote.
    private static func quote(_ raw: String) -> String {
        let text = KeyText.inline(raw)
        guard text.contains(where: { $0 == "," || $0 == "\"" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Layers listed in the text summary; JSON lists all.
    static let maximumLayersListed = 15

    /// Every variable that differs (identical ones too with `all`) in ``ordered(_:)`` order,
    /// the NaN and Inf alarms, the layers that moved most, and a summary whose relative changes
    /// are the weights' and the optimizer state's, each its own figure.
    static func text(_ report: DiffReport, all: Bool, layers: [LayerChange]) -> [String] {
        var out = ["--- \(report.a)", "+++ \(report.b)"]
        let listed = ordered(report).filter { all || $0.status != .identical }
        let withRows = listed.contains { $0.rows != nil }
        var rows = [
            ["STATUS", "ROLE", "NAME", "DTYPE", "SHAPE", "CHANGED"] + (withRows ? ["ROWS"] : []) + ["MAX|B-A|", "REL_L2", "COSINE"]
        ]
        for variable in listed {
            let s = variable.statistics
            let numeric = variable.numeric ? s : nil
            rows.append(
                [
                    variable.status.rawValue, variable.role.rawValue, variable.name, variable.summary.dtype.name,
                    Formatting.shape(variable.summary.shape),
                    s.map { Formatting.fixed($0.changedFraction * 100, digits: 1) + "%" } ?? (variable.status == .identical ? "0%" : "-"),
                ] + (withRows ? [variable.rows.map(Self.rows) ?? "-"] : []) + [
                    numeric.map { Formatting.significant($0.maxAbsDiff) } ?? "-",
                    numeric?.relativeL2.map(Formatting.significant) ?? "-",
                    numeric?.cosine.map { Formatting.fixed($0, digits: 6) } ?? "-",
                ])
        }
        if rows.count > 1 { out += Formatting.table(rows, rightAligned: Set(5..<rows[0].count)) }
        out += alarms(report).map { "!! \($0.event): \($0.variable.name) (\($0.counts))" }
        let identical = report.variables.filter { $0.status == .identical }.count
        if identical > 0 && !all { out.append("\(identical) identical variables not listed (--all lists them)") }
        if !layers.isEmpty {
            var table = [["LAYER", "PARAMS", "WEIGHTS REL_L2", "OPTIMIZER REL_L2"]]
            for layer in layers.prefix(maximumLayersListed) {
                table.append([
                    layer.layer, Formatting.grouped(layer.parameters), layer.weights.relativeL2.map(Formatting.significant) ?? "-",
                    layer.optimizer.relativeL2.map(Formatting.significant) ?? "-",
                ])
            }
            out += ["layers, most moved first:"] + Formatting.table(table, rightAligned: [1, 2, 3]).map { "  " + $0 }
            if layers.count > maximumLayersListed { out.append("  (\(layers.count - maximumLayersListed) more layers: --json lists them)") }
        }
        return out + [summaryLine(report)]
    }

    /// `2 of 16 variables differ; weights: 120 of 131 elements changed, relative change
    /// 0.0789; optimizer state: relative change 0.398; most moved layer: mlp/hidden (0.0812)`.
    static func summaryLine(_ report: DiffReport) -> String {
        let differing = report.variables.filter { $0.status != .identical }.count
        var parts = ["\(differing) of \(report.variables.count) variables differ"]
        let weights = report.weights
        if weights.count > 0 {
            var part = "weights: \(Formatting.grouped(weights.changed)) of \(Formatting.grouped(weights.count)) elements changed"
            if let change = report.weightsRelativeChange { part += ", relative change \(Formatting.significant(change))" }
            parts.append(part)
        }
        if let change = report.optimizerRelativeChange {
            parts.append("optimizer state: relative change \(Formatting.significant(change))")
        }
        if let group = report.mostMovedGroup {
            parts.append(
                "most moved \(group.isLayer ? "layer" : "weight"): \(group.name) (\(Formatting.significant(group.relativeChange)))")
        }
        return parts.joined(separator: "; ")
    }
}
