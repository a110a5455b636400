import Diffing
import Glibc

/// A diff as one self-contained HTML page (no network, no external assets): the summary,
/// NaN and Inf called out, a bar chart of each layer's relative change (weights and optimizer
/// state), and a table of every variable that sorts by any column.
enum DiffPage {
    /// Histograms are drawn for this many variables, those that moved most.
    static let histogramsDrawn = 24
    /// Row strips are drawn for this many variables.
    static let stripsDrawn = 24
    /// Layers the chart draws; the table holds every variable.
    static let layersDrawn = 60

    /// The variables whose histograms the page draws: changed numeric tensors of more than one
    /// element that are not bookkeeping, weights first, most moved first.
    static func histogramCandidates(_ report: DiffReport) -> [VariableDiff] {
        Array(
            DiffOutput.ordered(report).filter { variable in
                variable.role != .bookkeeping && variable.status == .changed && variable.numeric && variable.summary.parameters > 1
                    && (variable.statistics?.maxAbsDiff ?? 0) > 0
            }
            .prefix(histogramsDrawn))
    }

    /// The page: summary cards (the weights' relative change, the optimizer state's, the layer
    /// that moved most), NaN and Inf alarms, the per-layer chart, histograms of B − A, strips
    /// of the rows that changed in sparsely updated 2-D variables, and the variables table.
    static func html(_ report: DiffReport, layers: [LayerChange], histograms: [(name: String, histogram: DifferenceHistogram)]) -> String {
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>ckptdiff \(MarkupText.escape(report.a)) → \(MarkupText.escape(report.b))</title>
            <style>\(style)</style></head><body>
            <h1>ckptdiff</h1>
            <p class="pair"><span class="a">A</span> \(MarkupText.escape(report.a))<br><span class="b">B</span> \(MarkupText.escape(report.b))</p>

            """
        page += summary(report)
        page += alarms(report)
        page += chart(layers)
        page += self.histograms(histograms)
        page += strips(report)
        page += table(report)
        page += "<script>\(script)</script>\n</body></html>\n"
        return page
    }

    private static func summary(_ report: DiffReport) -> String {
        let weights = report.weights
        var items: [(String, String, String)] = []
        if let change = report.weightsRelativeChange {
            items.append(
                (
                    "weights: relative change ‖B−A‖/‖A‖", Formatting.significant(change),
                    "over every floating-point weight of the model, the unchanged ones included"
                ))
        }
        if let change = report.optimizerRelativeChange {
            items.append(
                (
                    "optimizer state: relative change", Formatting.significant(change),
                    "slots and learning rates; step counters count in neither figure"
                ))
        }
        if let group = report.mostMovedGroup {
            items.append(
                (
                    group.isLayer ? "most moved layer (weights)" : "most moved weight",
                    "\(group.name) (\(Formatting.significant(group.relativeChange)))", ""
                ))
        }
        items.append(
            (
                "weight elements changed", "\(Formatting.grouped(weights.changed)) of \(Formatting.grouped(weights.count))", ""
            ))
        items.append(
            (
                "variables that differ", "\(report.variables.filter { $0.status != .identical }.count) of \(report.variables.count)", ""
            ))
        return "<dl class=\"summary\">"
            + items.map { label, value, note in
                "<div><dt>\(MarkupText.escape(label))</dt><dd>\(MarkupText.escape(value))</dd>"
                    + (note.isEmpty ? "" : "<dd class=\"note\">\(MarkupText.escape(note))</dd>") + "</div>"
            }.joined() + "</dl>\n"
    }

    private static func alarms(_ report: DiffReport) -> String {
        let lines = DiffOutput.alarms(report).map { variable, event, counts in
            "<li><b>\(MarkupText.escape(variable.name))</b>: \(event) (\(counts))</li>"
        }
        guard !lines.isEmpty else { return "" }
        return "<section class=\"alarm\"><h2>NaN and Inf</h2><ul>\(lines.joined())</ul></section>\n"
    }

    /// Per layer, a bar for its weights and one for its optimizer state, each panel on its own
    /// scale (optimizer state moves an order of magnitude more than weights; on one scale the
    /// weights would be slivers), with its axis labelled.
    private static func chart(_ layers: [LayerChange]) -> String {
        let moved = layers.filter { ($0.weights.relativeL2 ?? 0) > 0 || ($0.optimizer.relativeL2 ?? 0) > 0 }
        guard !moved.isEmpty else { return "" }
        let shown = Array(moved.prefix(layersDrawn))
        // A panel for the weights, and one for the optimizer state where the layers have any.
        let panels: [(title: String, kind: String, value: (LayerChange) -> Double?)] = [
            ("weights", "w", { $0.weights.relativeL2 }), ("optimizer state", "o", { $0.optimizer.relativeL2 }),
        ].filter { panel in shown.contains { panel.value($0) != nil } }
        // Room for the longest name shown (about 7 units a character at this size), within bounds.
        let label = min(230, max(90, 16 + 7 * Double(shown.map(\.layer.count).max() ?? 0)))
        let panel = 280.0, gap = 70.0, row = 24.0, top = 44.0
        let width = label + Double(panels.count) * (panel + gap)
        let height = top + Double(shown.count) * row + 8
        var svg =
            "<svg class=\"chart\" width=\"\(Int(width))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"relative change per layer\">"
        for (index, panelSpec) in panels.enumerated() {
            let x = label + Double(index) * (panel + gap)
            let largest = shown.compactMap(panelSpec.value).max() ?? 0
            svg += "<text x=\"\(fixed(x))\" y=\"14\" class=\"legend \(panelSpec.kind)\">\(panelSpec.title)</text>"
            // The axis: 0, half and the largest value, with grid lines.
            for fraction in [0.0, 0.5, 1.0] where largest > 0 || fraction == 0 {
                let tickX = x + fraction * panel
                svg +=
                    "<line x1=\"\(fixed(tickX))\" y1=\"\(fixed(top - 6))\" x2=\"\(fixed(tickX))\" y2=\"\(fixed(height - 6))\" class=\"grid\"/>"
                svg +=
                    "<text x=\"\(fixed(tickX))\" y=\"\(fixed(top - 10))\" text-anchor=\"middle\" class=\"tick\">\(Formatting.significant(largest * fraction))</text>"
            }
            for (position, layer) in shown.enumerated() {
                guard let value = panelSpec.value(layer) else { continue }
                let y = top + Double(position) * row
                let length = largest > 0 ? max(1, value / largest * panel) : 1
                svg +=
                    "<rect class=\"\(panelSpec.kind)\" x=\"\(fixed(x))\" y=\"\(fixed(y + 4))\" width=\"\(fixed(length))\" height=\"14\"><title>\(MarkupText.escape(layer.layer)) \(panelSpec.title): \(Formatting.significant(value))</title></rect>"
                svg += "<text x=\"\(fixed(x + length + 4))\" y=\"\(fixed(y + 15))\" class=\"value\">\(Formatting.significant(value))</text>"
            }
        }
        for (position, layer) in shown.enumerated() {
            let y = top + Double(position) * row
            svg += "<text x=\"\(fixed(label - 10))\" y=\"\(fixed(y + 15))\" text-anchor=\"end\">\(MarkupText.escape(layer.layer))</text>"
        }
        svg += "</svg>"
        let more = moved.count > shown.count ? "<p>\(moved.count - shown.count) more layers are in the table.</p>" : ""
        return "<section><h2>Relative change per layer, ‖B−A‖/‖A‖ (each panel on its own scale)</h2>\(svg)\(more)</section>\n"
    }

    /// A bar chart of b − a per variable, zero in the middle, counts on a labelled axis: a
    /// logarithmic one where the tallest bar is over a hundred times the shortest.
    private static func histograms(_ histograms: [(name: String, histogram: DifferenceHistogram)]) -> String {
        guard !histograms.isEmpty else { return "" }
        var html = "<section><h2>Distribution of B − A (variables that moved most)</h2><div class=\"histograms\">"
        for (name, histogram) in histograms {
            let axis = 34.0, width = 300.0, plot = width - axis, height = 80.0
            let bar = plot / Double(histogram.counts.count)
            let tallest = histogram.counts.max() ?? 0
            let shortest = histogram.counts.filter { $0 > 0 }.min() ?? 0
            let logarithmic = shortest > 0 && tallest >= 100 * shortest
            // Height of a bar of `count`, as a fraction of the plot.
            func scaled(_ count: Int) -> Double {
                guard tallest > 0, count > 0 else { return 0 }
                return logarithmic ? (1 + log10(Double(count))) / (1 + log10(Double(tallest))) : Double(count) / Double(tallest)
            }
            var svg =
                "<svg viewBox=\"0 -10 \(Int(width)) \(Int(height + 38))\" role=\"img\" aria-label=\"histogram of B − A for \(MarkupText.escape(name))\">"
            let ticks = logarithmic ? powersOfTen(upTo: tallest) : [0, tallest]
            for tick in ticks {
                let y = height - scaled(tick) * height
                svg += "<line x1=\"\(fixed(axis - 3))\" y1=\"\(fixed(y))\" x2=\"\(fixed(width))\" y2=\"\(fixed(y))\" class=\"grid\"/>"
                svg +=
                    "<text x=\"\(fixed(axis - 5))\" y=\"\(fixed(y + 3))\" text-anchor=\"end\">\(Formatting.grouped(Int64(tick)))</text>"
            }
            for (index, count) in histogram.counts.enumerated() where count > 0 {
                let length = max(1, scaled(count) * height)
                svg +=
                    "<rect x=\"\(Formatting.fixed(axis + Double(index) * bar, digits: 2))\" y=\"\(Formatting.fixed(height - length, digits: 2))\" "
                    + "width=\"\(Formatting.fixed(bar * 0.9, digits: 2))\" height=\"\(Formatting.fixed(length, digits: 2))\"><title>\(count)</title></rect>"
            }
            let middle = axis + plot / 2
            svg += "<line x1=\"\(fixed(middle))\" y1=\"0\" x2=\"\(fixed(middle))\" y2=\"\(height)\" class=\"zero\"/>"
            svg += "<text x=\"\(fixed(axis))\" y=\"\(height + 12)\">−\(Formatting.significant(histogram.limit))</text>"
            svg += "<text x=\"\(fixed(middle))\" y=\"\(height + 12)\" text-anchor=\"middle\">0</text>"
            svg += "<text x=\"\(width)\" y=\"\(height + 12)\" text-anchor=\"end\">+\(Formatting.significant(histogram.limit))</text>"
            svg +=
                "<text x=\"\(fixed(middle))\" y=\"\(height + 25)\" text-anchor=\"middle\" class=\"axis\">B − A; elements per bin\(logarithmic ? " (log scale)" : "")</text></svg>"
            let sample =
                histogram.sampled < histogram.total
                ? "\(Formatting.grouped(Int64(histogram.sampled))) of \(Formatting.grouped(Int64(histogram.total))) elements"
                : "\(Formatting.grouped(Int64(histogram.total))) elements"
            html += "<figure>\(svg)<figcaption><b>\(MarkupText.escape(name))</b><br>\(sample)</figcaption></figure>"
        }
        return html + "</div></section>\n"
    }

    /// 1, 10, 100, … up to `count`.
    private static func powersOfTen(upTo count: Int) -> [Int] {
        var ticks = [1]
        while let last = ticks.last, last <= count / 10 { ticks.append(last * 10) }
        return ticks
    }

    /// For 2-D variables that changed in some rows only (an embedding's), a strip from the
    /// first row to the last, each band shaded by the share of its rows that changed.
    private static func strips(_ report: DiffReport) -> String {
        let sparse = DiffOutput.ordered(report).filter { variable in
            variable.rows.map { $0.changed > 0 && $0.changed < $0.rows } ?? false
        }
        guard !sparse.isEmpty else { return "" }
        var html = "<section><h2>Rows that changed (2-D variables updated in some rows only)</h2><div class=\"strips\">"
        for variable in sparse.prefix(stripsDrawn) {
            guard let rows = variable.rows else { continue }
            let width = 600.0, height = 22.0
            let band = width / Double(rows.strip.count)
            var svg =
                "<svg viewBox=\"0 0 \(Int(width)) \(Int(height + 14))\" role=\"img\" aria-label=\"changed rows of \(MarkupText.escape(variable.name))\">"
            svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" class=\"strip\"/>"
            for (index, count) in rows.strip.enumerated() where count > 0 {
                let first = index * rows.rowsPerBand
                let size = min(rows.rowsPerBand, rows.rows - first)
                let share = Double(count) / Double(max(size, 1))
                let last = first + size - 1
                let span = size == 1 ? "row \(first)" : "rows \(first)–\(last)"
                svg +=
                    "<rect x=\"\(Formatting.fixed(Double(index) * band, digits: 2))\" y=\"0\" width=\"\(Formatting.fixed(max(band, 1), digits: 2))\" height=\"\(Int(height))\" class=\"changed\" fill-opacity=\"\(Formatting.fixed(0.25 + 0.75 * share, digits: 2))\"><title>\(span): \(count) changed</title></rect>"
            }
            svg += "<text x=\"0\" y=\"\(Int(height + 12))\">row 0</text>"
            svg += "<text x=\"\(Int(width))\" y=\"\(Int(height + 12))\" text-anchor=\"end\">row \(rows.rows - 1)</text></svg>"
            html +=
                "<figure class=\"strip\">\(svg)<figcaption><b>\(MarkupText.escape(variable.name))</b>: \(DiffOutput.rows(rows)) rows changed</figcaption></figure>"
        }
        let more = sparse.count > stripsDrawn ? "<p>\(sparse.count - stripsDrawn) more are in the table.</p>" : ""
        return html + "</div>\(more)</section>\n"
    }

    private static func table(_ report: DiffReport) -> String {
        let headers = [
            "name", "layer", "role", "status", "dtype", "shape", "changed", "rows changed", "max |B−A|", "rel L2", "cosine", "NaN in B",
            "Inf in B",
        ]
        var html =
            "<section><h2>Variables</h2><p class=\"hint\">Weights first, most moved first. Click a column to sort.</p><div class=\"scroll\"><table id=\"variables\"><thead><tr>"
        html +=
            headers.enumerated().map { "<th data-column=\"\($0.offset)\">\(MarkupText.escape($0.element))</th>" }.joined()
            + "</tr></thead><tbody>"
        for variable in DiffOutput.ordered(report) {
            let s = variable.statistics
            let numeric = variable.numeric ? s : nil
            let cells: [(String, Double?)] = [
                (variable.name, nil), (variable.layer ?? "", nil), (variable.role.rawValue, nil), (variable.status.rawValue, nil),
                (variable.summary.dtype.name, nil), (Formatting.shape(variable.summary.shape), Double(variable.summary.parameters)),
                (s.map { Formatting.fixed($0.changedFraction * 100, digits: 1) + "%" } ?? "", s?.changedFraction),
                (variable.rows.map(DiffOutput.rows) ?? "", variable.rows.map { Double($0.changed) }),
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
        svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #e1e4ea;border-radius:8px;font-size:12px}
        svg.chart text{fill:#333}svg.chart .value{fill:#6b7180;font-size:11px}svg.chart .legend{font-size:13px}
        svg.chart .tick{fill:#6b7180;font-size:10px}svg.chart .legend{font-weight:600}.legend.w{fill:#3b6fd8}.legend.o{fill:#c0651c}
        .grid{stroke:#e6e8ee;stroke-width:1}rect.w{fill:#3b6fd8}rect.o{fill:#e8893a}
        .summary dd.note{font-size:11px;font-weight:400;color:#6b7180;max-width:240px}
        .strips figure{width:auto;max-width:620px;margin-bottom:8px}.strips svg{width:100%;font-size:10px}
        rect.strip{fill:#eef0f4}rect.changed{fill:#d8503b}figure .axis{fill:#6b7180}
        table{border-collapse:collapse;background:#fff;border:1px solid #e1e4ea;font-size:13px}
        th,td{padding:4px 8px;border-bottom:1px solid #eef0f4;text-align:left;white-space:nowrap}
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
