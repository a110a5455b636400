/// Diff results as text.
enum DiffOutput {
    static func text(_ comparisons: [VariableComparison], a: String, b: String, all: Bool) -> String {
        var rows: [[String]] = []
        for comparison in comparisons where all || comparison.status != .identical {
            rows.append([comparison.status.rawValue, comparison.name, comparison.summary.dtype.name, Formatting.shape(comparison.summary.shape)])
        }
        let identical = comparisons.filter { $0.status == .identical }.count
        var out = "--- \(a)\n+++ \(b)\n" + Formatting.table(rows)
        out += "\(comparisons.count - identical) of \(comparisons.count) variables differ; \(identical) identical\n"
        return out
    }
}
