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
            .double(s.l2A), .double(s.l2B), s.relativeL2.map(JSONValue.double) ?? .null, s.cosine.map(JSONValue.double) ?? .null,
            .int(s.nanA), .int(s.nanB), .int(s.infA), .int(s.infB),
        ]
    }

    static func json(_ report: DiffReport, layers: [LayerChange]) -> JSONValue {
        let total = report.total
        let group = report.mostMovedGroup
        return .object([
            ("a", .string(report.a)),
            ("b", .string(report.b)),
            ("identical", .bool(report.identical)),
            ("within_tolerance", .bool(report.withinTolerance)),
            (
                "layers",
                .array(
                    layers.map { layer in
                        .object([
                            ("layer", .string(layer.layer)),
                            ("parameters", .int(layer.parameters)),
                            ("weights_rel_l2", layer.weights.relativeL2.map(JSONValue.double) ?? .null),
                            ("optimizer_rel_l2", layer.optimizer.relativeL2.map(JSONValue.double) ?? .null),
                        ])
                    })
            ),
            (
                "variables",
                .array(
                    report.variables.map { variable in
                        .object(
                            [
                                ("name", .string(variable.name)),
                                ("key", .string(variable.summary.name)),
                                ("status", .string(variable.status.rawValue)),
                                ("dtype", .string(variable.summary.dtype.name)),
                                ("shape", .array(variable.summary.shape.dimensions.map(JSONValue.int))),
                            ] + Array(zip(statisticNames, statistics(variable))))
                    })
            ),
            (
                "summary",
                .object([
                    ("variables", .int(Int64(report.variables.count))),
                    ("changed_variables", .int(Int64(report.variables.filter { $0.status != .identical }.count))),
                    ("parameters", .int(report.variables.saturatingSum(of: \.summary.parameters))),
                    ("changed_parameters", .int(total.changed)),
                    ("global_rel_l2", report.globalRelativeChange.map(JSONValue.double) ?? .null),
                    ("most_moved_group", group.map { .string($0.name) } ?? .null),
                    ("most_moved_group_rel_l2", group.map { .double($0.relativeChange) } ?? .null),
                    ("seconds", .double(report.seconds)),
                ])
            ),
        ])
    }

    static func csv(_ report: DiffReport) -> String {
        var out = (["name", "key", "status", "dtype", "shape"] + statisticNames).joined(separator: ",") + "\n"
        for variable in report.variables {
            let cells =
                [
                    quote(variable.name), quote(variable.summary.name), variable.status.rawValue, variable.summary.dtype.name,
                    variable.summary.shape.dimensions.map(String.init).joined(separator: "x"),
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

    /// Changed variables sorted by relative change (top movers first), then structural
    /// changes, NaN alarms, identical variables in one line (or listed with `all`), a summary.
    static func text(_ report: DiffReport, all: Bool, layers: [LayerChange]) -> [String] {
        var out = ["--- \(report.a)", "+++ \(report.b)"]
        let changed = report.variables.filter { $0.status == .changed }
            .sorted { ($0.statistics?.relativeL2 ?? -1, $1.name) > ($1.statistics?.relativeL2 ?? -1, $0.name) }
        let structural = report.variables.filter { $0.status != .changed && $0.status != .identical }
        let identical = report.variables.filter { $0.status == .identical }
        var rows = [["STATUS", "NAME", "DTYPE", "SHAPE", "CHANGED", "MAX|B-A|", "REL_L2", "COSINE"]]
        for variable in changed + structural + (all ? identical : []) {
            let s = variable.statistics
            rows.append([
                variable.status.rawValue, variable.name, variable.summary.dtype.name, Formatting.shape(variable.summary.shape),
                s.map { Formatting.fixed($0.changedFraction * 100, digits: 1) + "%" } ?? (variable.status == .identical ? "0%" : "-"),
                s.flatMap { variable.numeric ? Formatting.significant($0.maxAbsDiff) : nil } ?? "-",
                s.flatMap { variable.numeric ? $0.relativeL2.map(Formatting.significant) : nil } ?? "-",
                s.flatMap { variable.numeric ? $0.cosine.map { Formatting.fixed($0, digits: 6) } : nil } ?? "-",
            ])
        }
        if rows.count > 1 { out += Formatting.table(rows, rightAligned: [4, 5, 6, 7]) }
        for variable in report.variables {
            guard let s = variable.statistics, s.nanB > s.nanA else { continue }
            out.append("!! NaN appeared in B: \(variable.name) (\(s.nanB) NaN in B, \(s.nanA) in A)")
        }
        if !identical.isEmpty && !all { out.append("\(identical.count) identical variables not listed (--all lists them)") }
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
        let total = report.total
        var summary =
            "\(report.variables.count - identical.count) of \(report.variables.count) variables differ; "
            + "\(Formatting.grouped(total.changed)) of \(Formatting.grouped(report.variables.saturatingSum(of: \.summary.parameters))) parameters changed"
        if let global = report.globalRelativeChange { summary += "; global relative change \(Formatting.significant(global))" }
        if let group = report.mostMovedGroup {
            summary += "; most moved group: \(group.name) (\(Formatting.significant(group.relativeChange)))"
        }
        return out + [summary]
    }
}
