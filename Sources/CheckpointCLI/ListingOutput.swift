import JSON
import TensorBundle

/// A checkpoint's variables as text or JSON, like TensorFlow's `inspect_checkpoint`.
enum ListingOutput {
    static func text(prefix: String, summaries: [VariableSummary], shardCount: Int64?) -> String {
        let parameters = summaries.reduce(0) { $0 + $1.parameters }
        let bytes = summaries.reduce(0) { $0 + $1.size }
        let out = "\(prefix): \(summaries.count) variables, \(Formatting.grouped(parameters)) parameters, "
            + "\(Formatting.bytes(bytes)) in \(shardCount.map(String.init) ?? "?") shard(s)\n"
        var rows = [["NAME", "DTYPE", "SHAPE", "SHARD", "BYTES", "PARAMS"]]
        for summary in summaries {
            rows.append([
                summary.name, summary.dtype.name, Formatting.shape(summary.shape),
                summary.shard.map(String.init) ?? "\(summary.sliceCount) slices",
                Formatting.grouped(summary.size), Formatting.grouped(summary.parameters),
            ])
        }
        return out + Formatting.table(rows, rightAligned: [3, 4, 5]).split(separator: "\n").map { "  " + $0 + "\n" }.joined()
    }

    static func json(prefix: String, summaries: [VariableSummary], shardCount: Int64?) -> JSONValue {
        .object([
            ("prefix", .string(prefix)),
            ("shards", shardCount.map(JSONValue.int) ?? .null),
            ("parameters", .int(summaries.reduce(0) { $0 + $1.parameters })),
            ("bytes", .int(summaries.reduce(0) { $0 + $1.size })),
            ("variables", .array(summaries.map(variable))),
        ])
    }

    /// The JSON fields every tool uses to describe one variable.
    static func variable(_ summary: VariableSummary) -> JSONValue {
        .object([
            ("name", .string(summary.name)),
            ("dtype", .string(summary.dtype.name)),
            ("shape", .array(summary.shape.dimensions.map(JSONValue.int))),
            ("shard", summary.shard.map(JSONValue.int) ?? .null),
            ("offset", summary.offset.map(JSONValue.int) ?? .null),
            ("size", .int(summary.size)),
            ("parameters", .int(summary.parameters)),
            ("slices", .int(Int64(summary.sliceCount))),
        ])
    }
}
