import Archive
import BinaryCoding
import JSON

/// Archive runs, listings and verification reports as text or JSON.
enum ArchiveOutput {
    /// One line of an archive run's progress.
    static func line(_ event: ArchiveEvent) -> String {
        switch event {
        case .added(let entry):
            let kind = entry.baseStep.map { "delta against step \($0), depth \(entry.depth)" } ?? "keyframe"
            return
                "\(entry.checkpoint): \(kind), \(Formatting.bytes(Int64(entry.size))) (\(ratio(entry.size, entry.rawSize)) of \(Formatting.bytes(Int64(entry.rawSize))))"
        case .skipped(let skipped):
            return "ckptdelta: \(skipped.checkpoint): \(skipped.reason)"
        case .removed(let name):
            return "removed \(name), left by an interrupted run"
        case .adopted(let entry):
            return "\(entry.checkpoint): listed again from \(entry.file), a complete delta the manifest did not list"
        case .kept(let file, let reason):
            return "ckptdelta: \(file): kept, not listed: \(reason)"
        }
    }

    /// What a dry run would do: one line per step to add, then a summary.
    static func text(_ plan: ArchivePlan, archive: String) -> [String] {
        plan.added.map { entry in
            "\(entry.checkpoint): would be added as "
                + (entry.baseStep.map { "a delta against step \($0), depth \(entry.depth) (a keyframe instead if that is smaller)" }
                    ?? "a keyframe")
        } + ["\(archive): \(plan.added.count) step(s) would be added, \(plan.skipped.count) skipped (dry run: nothing was written)"]
    }

    static func summary(_ report: ArchiveRunReport, archive: String) -> String {
        "\(archive): \(report.added.count) step(s) added, \(report.skipped.count) skipped"
    }

    /// The listing: one row per step, then the totals.
    static func text(_ manifest: ArchiveManifest) -> [String] {
        var rows = [["STEP", "CHECKPOINT", "KIND", "BASE", "DEPTH", "RAW", "STORED", "RATIO"]]
        for entry in manifest.entries {
            rows.append([
                String(entry.step), entry.checkpoint, entry.isKeyframe ? "keyframe" : "delta", entry.baseStep.map(String.init) ?? "-",
                String(entry.depth), Formatting.grouped(Int64(entry.rawSize)), Formatting.grouped(Int64(entry.size)),
                ratio(entry.size, entry.rawSize),
            ])
        }
        let (raw, stored) = totals(manifest)
        rows.append([
            "total", "\(manifest.entries.count) step(s)", "", "", "", Formatting.grouped(Int64(raw)), Formatting.grouped(Int64(stored)),
            ratio(stored, raw),
        ])
        return Formatting.table(rows, rightAligned: [0, 3, 4, 5, 6, 7])
    }

    static func json(_ manifest: ArchiveManifest) -> JSONValue {
        let (raw, stored) = totals(manifest)
        return .object([
            (
                "steps",
                .array(
                    manifest.entries.map { entry in
                        .object([
                            ("step", .int(entry.step)), ("checkpoint", .string(entry.checkpoint)), ("file", .string(entry.file)),
                            ("keyframe", .bool(entry.isKeyframe)), ("base_step", entry.baseStep.map(JSONValue.int) ?? .null),
                            ("depth", .int(Int64(entry.depth))), ("raw_bytes", .int(Int64(entry.rawSize))),
                            ("stored_bytes", .int(Int64(entry.size))),
                        ])
                    })
            ),
            ("raw_bytes", .int(Int64(raw))), ("stored_bytes", .int(Int64(stored))),
            ("ratio", .double(Double(stored) / Double(max(raw, 1)))),
        ])
    }

    /// One line per finding, then a summary line unless `quiet`.
    static func text(_ report: ArchiveReport, deep: Bool, quiet: Bool) -> [String] {
        let out = report.findings.map { VerifyOutput.line($0, defaultPath: report.path, tool: "ckptdelta") }
        guard !quiet else { return out }
        let errors = report.findings.filter { $0.severity == .error }.count
        return out + [
            "\(report.path): \(errors == 0 ? "ok" : "\(errors) error(s)"); \(report.manifest.entries.count) step(s) checked"
                + (deep ? ", every one rebuilt" : "")
        ]
    }

    static func json(_ report: ArchiveReport) -> JSONValue {
        .object([
            ("path", .string(report.path)), ("ok", .bool(report.ok)), ("steps", .int(Int64(report.manifest.entries.count))),
            ("findings", .array(report.findings.map(VerifyOutput.finding))),
        ])
    }

    private static func totals(_ manifest: ArchiveManifest) -> (raw: Int, stored: Int) {
        // A manifest whose sizes do not add up within Int is refused when it is read.
        (manifest.entries.saturatingSum(of: \.rawSize), manifest.entries.saturatingSum(of: \.size))
    }

    private static func ratio(_ part: Int, _ whole: Int) -> String {
        Formatting.fixed(Double(part) / Double(max(whole, 1)), digits: 3)
    }
}
