import Diffing
import TrainingState

/// A diff as one self-contained HTML page (no network, no external assets): the summary,
/// NaN and Inf called out, a bar chart of each layer's relative change (weights and optimizer
/// state), and a table of every variable that sorts by any column.
enum DiffPage {
    /// Histograms are drawn for this many variables, those that moved most.
    static let histogramsDrawn = 24

    /// The variables whose histograms the page draws: changed numeric tensors of more than one
    /// element that are not the checkpoint's or the optimizer's counters, most moved first.
    static func histogramCandidates(_ report: DiffReport, trained: [String: TrainedVariable]) -> [VariableDiff] {
        Array(
            report.variables.filter { variable in
                switch trained[variable.summary.name]?.role {
                case .bookkeeping?, .optimizerState?: return false
                default:
                    return variable.status == .changed && variable.numeric && variable.summary.parameters > 1
                        && (variable.statistics?.maxAbsDiff ?? 0) > 0
                }
            }
            .sorted { ($0.statistics?.relativeL2 ?? 0, $1.name) > ($1.statistics?.relativeL2 ?? 0, $0.name) }
            .prefix(histogramsDrawn))
    }

    /// How the page titles a variable: its name, a slot as `VARIABLE ↳ slot` as `--list` shows it.
    static func caption(_ variable: VariableDiff, trained: [String: TrainedVariable]) -> String {
        guard case .slot(let owner, let slot)? = trained[variable.summary.name]?.role, let name = trained[owner]?.name else {
            return variable.name
        }
        return "\(name) ↳ \(slot)"
    }

    static func html(
        _ report: DiffReport, layers: [LayerChange], trained: [String: TrainedVariable],
        histograms: [(name: String, histogram: DifferenceHistogram)]
    ) -> String {
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ckptdiff \(MarkupText.escape(report.a)) → \(MarkupText.escape(report.b))</title>
            <style>\(style)</style></head><body>
            <h1>ckptdiff</h1>
            <p class="pair"><span class="a">A</span> \(MarkupText.escape(report.a))<br><span class="b">B</span> \(MarkupText.escape(report.b))</p>

            """
        page += summary(report, layers: layers)
        page += alarms(report)
        page += chart(layers)
        page += self.histograms(histograms)
        page += table(report, trained: trained)
        page += "<script>\(script)</script>\n</body></html>\n"
        return page
    }

    private static func summary(_ report: DiffReport, layers: [LayerChange]) -> String {
        let changed = report.variables.filter { $0.status != .identical }.count
        var items = [
            ("variables that differ", "\(changed) of \(report.variables.count)"),
            (
                "parameters changed",
                "\(Formatting.grouped(report.total.changed)) of \(Formatting.grouped(report.variables.reduce(0) { $0 + $1.summary.parameters }))"
            ),
        ]
        if let global = report.globalRelativeChange { items.append(("global relative change ‖B−A‖/‖A‖", Formatting.significant(global))) }
        // The layer whose weights moved most, when the training state names layers.
        if let layer = layers.first, let change = layer.weights.relativeL2 {
            items.append(("most moved layer (weights)", "\(layer.layer) (\(Formatting.significant(change)))"))
        } else if let group = report.mostMovedGroup {
            items.append(("most moved group", "\(group.name) (\(Formatting.significant(group.relativeChange)))"))
        }
        return "<dl class=\"summary\">"
            + items.map { "<div><dt>\(MarkupText.escape($0.0))</dt><dd>\(MarkupText.escape($0.1))</dd></div>" }.joined() + "</dl>\n"
    }

    private static func alarms(_ report: DiffReport) -> String {
        var lines: [String] = []
        for variable in report.variables {
            guard let s = variable.statistics else { continue }
            if s.nanB > s.nanA {
                lines.append("<li><b>\(MarkupText.escape(variable.name))</b>: NaN appeared in B (\(s.nanB) in B, \(s.nanA) in A)</li>")
            }
            if s.infB > s.infA {
                lines.append("<li><b>\(MarkupText.escape(variable.name))</b>: ±Inf appeared in B (\(s.infB) in B, \(s.infA) in A)</li>")
            }
        }
        guard !lines.isEmpty else { return "" }
        return "<section class=\"alarm\"><h2>NaN and Inf</h2><ul>\(lines.joined())</ul></section>\n"
    }

    /// Two bars per layer (weights, optimizer state), on one scale: the largest change.
    private static func chart(_ layers: [LayerChange]) -> String {
        let moved = layers.filter { $0.weights.relativeL2 != nil || $0.optimizer.relativeL2 != nil }
        guard !moved.isEmpty else { return "" }
        let shown = Array(moved.prefix(60))
        let largest = shown.flatMap { [$0.weights.relativeL2, $0.optimizer.relativeL2] }.compactMap { $0 }.max() ?? 0
        let label = 260.0, width = 520.0, row = 34.0
        var svg =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(label + width + 90)) \(Int(Double(shown.count) * row + 30))\" role=\"img\" aria-label=\"relative change per layer\">"
        svg +=
            "<text x=\"\(label)\" y=\"14\" class=\"legend\"><tspan class=\"w\">■</tspan> weights  <tspan class=\"o\">■</tspan> optimizer state</text>"
        for (index, layer) in shown.enumerated() {
            let y = 24 + Double(index) * row
            svg += "<text x=\"\(label - 8)\" y=\"\(y + 17)\" text-anchor=\"end\">\(MarkupText.escape(layer.layer))</text>"
            for (offset, value, kind) in [(0.0, layer.weights.relativeL2, "w"), (14.0, layer.optimizer.relativeL2, "o")] {
                guard let value else { continue }
                let length = largest > 0 ? max(1, value / largest * width) : 1
                svg +=
                    "<rect class=\"\(kind)\" x=\"\(label)\" y=\"\(y + offset)\" width=\"\(fixed(length))\" height=\"12\"><title>\(MarkupText.escape(layer.layer)): \(Formatting.significant(value))</title></rect>"
                svg +=
                    "<text x=\"\(fixed(label + length + 4))\" y=\"\(y + offset + 10)\" class=\"value\">\(Formatting.significant(value))</text>"
            }
        }
        svg += "</svg>"
        let more = moved.count > shown.count ? "<p>\(moved.count - shown.count) more layers are in the table.</p>" : ""
        return "<section><h2>Relative change per layer, ‖B−A‖/‖A‖</h2>\(svg)\(more)</section>\n"
    }

    /// A small bar chart of b − a per variable, zero in the middle.
    private static func histograms(_ histograms: [(name: String, histogram: DifferenceHistogram)]) -> String {
        guard !histograms.isEmpty else { return "" }
        var html = "<section><h2>Distribution of B − A (variables that moved most)</h2><div class=\"histograms\">"
        for (name, histogram) in histograms {
            let width = 300.0, height = 70.0
            let bar = width / Double(histogram.counts.count)
            let tallest = Double(histogram.counts.max() ?? 1)
            var svg =
                "<svg viewBox=\"0 0 \(Int(width)) \(Int(height + 16))\" role=\"img\" aria-label=\"histogram of B − A for \(MarkupText.escape(name))\">"
            for (index, count) in histogram.counts.enumerated() where count > 0 {
                let length = max(1, Double(count) / max(tallest, 1) * height)
                svg +=
                    "<rect x=\"\(Formatting.fixed(Double(index) * bar, digits: 2))\" y=\"\(Formatting.fixed(height - length, digits: 2))\" "
                    + "width=\"\(Formatting.fixed(bar * 0.9, digits: 2))\" height=\"\(Formatting.fixed(length, digits: 2))\"><title>\(count)</title></rect>"
            }
            svg += "<line x1=\"\(width / 2)\" y1=\"0\" x2=\"\(width / 2)\" y2=\"\(height)\" class=\"zero\"/>"
            svg += "<text x=\"0\" y=\"\(height + 13)\">−\(Formatting.significant(histogram.limit))</text>"
            svg += "<text x=\"\(width)\" y=\"\(height + 13)\" text-anchor=\"end\">+\(Formatting.significant(histogram.limit))</text></svg>"
            let sample =
                histogram.sampled < histogram.total
                ? "\(Formatting.grouped(Int64(histogram.sampled))) of \(Formatting.grouped(Int64(histogram.total))) elements"
                : "\(Formatting.grouped(Int64(histogram.total))) elements"
            html += "<figure>\(svg)<figcaption><b>\(MarkupText.escape(name))</b><br>\(sample)</figcaption></figure>"
        }
        return html + "</div></section>\n"
    }

    private static func table(_ report: DiffReport, trained: [String: TrainedVariable]) -> String {
        let headers = [
            "name", "layer", "role", "status", "dtype", "shape", "changed", "max |B−A|", "rel L2", "cosine", "NaN in B", "Inf in B",
        ]
        var html =
            "<section><h2>Variables</h2><p class=\"hint\">Click a column to sort.</p><div class=\"scroll\"><table id=\"variables\"><thead><tr>"
        html +=
            headers.enumerated().map { "<th data-column=\"\($0.offset)\">\(MarkupText.escape($0.element))</th>" }.joined()
            + "</tr></thead><tbody>"
        for variable in report.variables {
            let state = trained[variable.summary.name]
            let s = variable.statistics
            let role: String =
                switch state?.role {
                case .weight?: "weight"
                case .slot(_, let name)?: "slot: " + name
                case .optimizerState?: "optimizer"
                case .bookkeeping?: "bookkeeping"
                case nil: ""
                }
            let numeric = variable.numeric ? s : nil
            let cells: [(String, Double?)] = [
                (variable.name, nil), (state?.layer ?? "", nil), (role, nil), (variable.status.rawValue, nil),
                (variable.summary.dtype.name, nil), (Formatting.shape(variable.summary.shape), Double(variable.summary.parameters)),
                (s.map { Formatting.fixed($0.changedFraction * 100, digits: 1) + "%" } ?? "", s?.changedFraction),
                (numeric.map { Formatting.significant($0.maxAbsDiff) } ?? "", numeric?.maxAbsDiff),
                (numeric?.relativeL2.map(Formatting.significant) ?? "", numeric?.relativeL2),
                (numeric?.cosine.map { Formatting.fixed($0, digits: 6) } ?? "", numeric?.cosine),
                (s.map { String($0.nanB) } ?? "", s.map { Double($0.nanB) }),
                (s.map { String($0.infB) } ?? "", s.map { Double($0.infB) }),
            ]
            let alarm = (s.map { $0.nanB > $0.nanA || $0.infB > $0.infA } ?? false) ? " class=\"alarm\"" : ""
            html +=
                "<tr\(alarm)>"
                + cells.map { text, value in
                    value.map { "<td class=\"number\" data-value=\"\($0)\">\(MarkupText.escape(text))</td>" }
                        ?? "<td>\(MarkupText.escape(text))</td>"
                }.joined() + "</tr>"
        }
        return html + "</tbody></table></div></section>\n"
    }

    private static func fixed(_ value: Double) -> String { Formatting.fixed(value, digits: 1) }

    private static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px 32px;color:#1d2330;background:#fbfbfd}
        h1{font-size:22px;margin:0 0 6px}h2{font-size:16px;margin:28px 0 8px}
        .pair{color:#4a5060;word-break:break-all}.pair span{display:inline-block;width:18px;font-weight:700}
        .summary{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}.summary div{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:8px 14px}
        .summary dt{font-size:12px;color:#6b7180}.summary dd{margin:0;font-size:18px;font-weight:600}
        section.alarm{background:#fff1f0;border:1px solid #f3b7b2;border-radius:8px;padding:4px 16px;color:#8a1c12}
        svg.chart{width:100%;max-width:900px;background:#fff;border:1px solid #e1e4ea;border-radius:8px;font-size:12px}
        svg.chart text{fill:#333}svg.chart .value{fill:#6b7180;font-size:11px}svg.chart .legend{font-size:12px}
        rect.w,tspan.w{fill:#3b6fd8}rect.o,tspan.o{fill:#e8893a}
        table{border-collapse:collapse;background:#fff;border:1px solid #e1e4ea;font-size:13px}
        th,td{padding:4px 10px;border-bottom:1px solid #eef0f4;text-align:left;white-space:nowrap}
        th{cursor:pointer;background:#f3f5f9;position:sticky;top:0}th.sorted-up::after{content:" ▲"}th.sorted-down::after{content:" ▼"}
        .scroll{overflow-x:auto}.histograms{display:flex;flex-wrap:wrap;gap:12px}
        figure{margin:0;background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:8px;width:300px}
        figure svg{width:100%;font-size:10px}figure rect{fill:#3b6fd8}figure .zero{stroke:#c33;stroke-width:1}
        figcaption{font-size:12px;color:#4a5060;word-break:break-all}td.number{text-align:right;font-variant-numeric:tabular-nums}tr.alarm td{background:#fff1f0}.hint{color:#6b7180;font-size:12px}
        """

    private static let script = """
        document.querySelectorAll('#variables th').forEach(function (header) {
          header.addEventListener('click', function () {
            var table = header.closest('table'), body = table.tBodies[0], column = +header.dataset.column;
            var down = !header.classList.contains('sorted-down');
            table.querySelectorAll('th').forEach(function (h) { h.classList.remove('sorted-up', 'sorted-down'); });
            header.classList.add(down ? 'sorted-down' : 'sorted-up');
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (x, y) {
              var a = x.cells[column], b = y.cells[column];
              var va = a.dataset.value !== undefined ? +a.dataset.value : a.textContent;
              var vb = b.dataset.value !== undefined ? +b.dataset.value : b.textContent;
              var order = typeof va === 'number' ? va - vb : va.localeCompare(vb);
              return down ? -order : order;
            });
            rows.forEach(function (row) { body.appendChild(row); });
          });
        });
        """
}
