import BinaryCoding
import Delta
import JSON

/// What a delta holds, as text or JSON: identities, then per variable the encodings chosen
/// and the bytes before and after.
enum DeltaOutput {
    /// Per tensor name: raw bytes, stored bytes, encodings used.
    struct Usage {
        var raw = 0
        var stored = 0
        var encodings: [String] = []
    }

    static func usage(_ file: DeltaFile) -> [(name: String, usage: Usage)] {
        var byName: [String: Usage] = [:]
        var order: [String] = []
        for plan in file.manifest.files {
            for run in plan.runs {
                let name = run.name.isEmpty ? "(bytes no tensor claims)" : run.name
                if byName[name] == nil { order.append(name) }
                var usage = byName[name, default: Usage()]
                usage.raw = usage.raw.saturatingAdding(run.length)
                let encoding: String
                switch run {
                case .copy: encoding = "copy"
                case .chunk(_, let chunkEncoding, _, let section, _, _):
                    encoding = chunkEncoding.name
                    usage.stored = usage.stored.saturatingAdding(file.sectionLength(at: section))
                case .predicted(_, let chunkEncoding, let section, _, _):
                    encoding = "predicted/" + chunkEncoding.name
                    usage.stored = usage.stored.saturatingAdding(file.sectionLength(at: section))
                }
                if !usage.encodings.contains(encoding) { usage.encodings.append(encoding) }
                byName[name] = usage
            }
        }
        return order.map { ($0, byName[$0]!) }
    }

    /// One line on the delta written at `deltaPath`, called `name` (its URL when it was uploaded).
    static func summary(_ manifest: Manifest, deltaPath: String, name: String? = nil) -> String {
        let raw = manifest.target.totalSize
        let size = (try? DeltaFile(path: deltaPath).count) ?? 0
        return "\(name ?? deltaPath): \(manifest.target.name) in \(Formatting.bytes(Int64(size))) "
            + "(\(Formatting.fixed(Double(size) / Double(max(raw, 1)), digits: 3)) of \(Formatting.bytes(Int64(raw))))"
            + (manifest.base.map { " against \($0.name)" } ?? " without a base")
    }

    /// What `file`, which the user named `name`, holds.
    static func text(_ file: DeltaFile, name: String) -> [String] {
        let manifest = file.manifest
        var out = [
            "delta: \(name) (\(Formatting.bytes(Int64(file.count))))", "base: \(manifest.base?.description ?? "none (a full checkpoint)")",
            "target: \(manifest.target)",
        ]
        for digest in [manifest.target.index] + manifest.target.dataFiles {
            out.append("  \(digest.name): \(Formatting.grouped(Int64(digest.size))) bytes, XXH3-128 \(digest.hash)")
        }
        var rows = [["VARIABLE", "ENCODING", "BYTES", "STORED", "RATIO"]]
        for (name, usage) in usage(file) {
            rows.append([
                name, usage.encodings.joined(separator: ","), Formatting.grouped(Int64(usage.raw)),
                Formatting.grouped(Int64(usage.stored)), Formatting.fixed(Double(usage.stored) / Double(max(usage.raw, 1)), digits: 3),
            ])
        }
        return out + Formatting.table(rows, rightAligned: [2, 3, 4])
    }

    static func json(_ file: DeltaFile, name: String) -> JSONValue {
        let manifest = file.manifest
        return .object([
            ("delta", .string(name)),
            ("size", .int(Int64(file.count))),
            ("base", manifest.base.map(identity) ?? .null),
            ("target", identity(manifest.target)),
            (
                "variables",
                .array(
                    usage(file).map { name, usage in
                        .object([
                            ("name", .string(name)),
                            ("encodings", .array(usage.encodings.map(JSONValue.string))),
                            ("bytes", .int(Int64(usage.raw))),
                            ("stored", .int(Int64(usage.stored))),
                        ])
                    })
            ),
        ])
    }

    private static func identity(_ identity: BundleIdentity) -> JSONValue {
        .object([
            ("name", .string(identity.name)),
            (
                "files",
                .array(
                    ([identity.index] + identity.dataFiles).map { digest in
                        .object([
                            ("name", .string(digest.name)), ("size", .int(Int64(digest.size))),
                            ("xxh3_128", .string(digest.hash.description)),
                        ])
                    })
            ),
        ])
    }
}
