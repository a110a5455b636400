import JSON
import Verification

/// Verification reports as text lines or JSON.
enum VerifyOutput {
    /// One line per finding: `ckptverify: PATH: tensor NAME: message`.
    static func line(_ finding: Finding, defaultPath: String, tool: String = "ckptverify") -> String {
        var line = "\(tool): \(finding.file ?? defaultPath): "
        if let tensor = finding.tensor { line += "tensor \(tensor): " }
        line += finding.severity == .error ? "" : "\(finding.severity.rawValue): "
        line += finding.message
        if let offset = finding.offset, finding.tensor == nil { line += " (offset \(offset))" }
        return line
    }

    /// The findings about a training directory.
    static func text(_ report: DirectoryReport) -> [String] {
        report.findings.map { line($0, defaultPath: report.path) }
    }

    /// One line per finding, then a summary line unless `quiet`.
    static func text(_ report: CheckpointReport, quiet: Bool) -> [String] {
        let out = report.findings.filter { !(quiet && $0.severity == .info) }.map { line($0, defaultPath: report.prefix) }
        guard !quiet else { return out }
        let errors = report.findings.filter { $0.severity == .error }.count
        let warnings = report.findings.filter { $0.severity == .warning }.count
        var summary = "\(report.prefix): \(errors == 0 ? "ok" : "\(errors) error(s)")"
        if warnings > 0 { summary += ", \(warnings) warning(s)" }
        summary +=
            "; \(report.tensors.count) tensors, \(Formatting.bytes(report.bytesChecked)) checked in "
            + "\(Formatting.fixed(report.seconds, digits: 3)) s"
        // A rate over a few kilobytes measures the timer, not the reading.
        if report.bytesChecked >= rateThreshold, report.seconds > 0 {
            summary += " (\(Formatting.fixed(Double(report.bytesChecked) / report.seconds / 1e9, digits: 2)) GB/s)"
        }
        return out + [summary]
    }

    /// The fewest bytes checked for which the summary gives a rate.
    static let rateThreshold: Int64 = 64 << 20

    static func json(_ reports: [CheckpointReport], directories: [DirectoryReport]) -> JSONValue {
        .object([
            ("ok", .bool(reports.allSatisfy(\.ok) && directories.allSatisfy(\.ok))),
            (
                "directories",
                .array(
                    directories.map { directory in
                        .object([
                            ("path", .string(directory.path)),
                            ("kind", .string(directory.kind.rawValue)),
                            ("ok", .bool(directory.ok)),
                            ("findings", .array(directory.findings.map(finding))),
                        ])
                    })
            ),
            ("checkpoints", .array(reports.map(checkpoint))),
        ])
    }

    private static func checkpoint(_ report: CheckpointReport) -> JSONValue {
        .object([
            ("prefix", .string(report.prefix)),
            ("ok", .bool(report.ok)),
            ("bytes_checked", .int(report.bytesChecked)),
            ("seconds", .double(report.seconds)),
            (
                "tensors",
                .array(
                    report.tensors.map { status in
                        guard case .object(var members) = ListingOutput.variable(status.summary) else { return .null }
                        members.append(("status", .string(status.error == nil ? "ok" : status.error!.code.rawValue)))
                        return .object(members)
                    })
            ),
            ("findings", .array(report.findings.map(finding))),
        ])
    }

    static func finding(_ finding: Finding) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("severity", .string(finding.severity.rawValue)),
            ("code", .string(finding.code.rawValue)),
            ("message", .string(finding.message)),
        ]
        if let tensor = finding.tensor { members.append(("tensor", .string(tensor))) }
        if let file = finding.file { members.append(("file", .string(file))) }
        if let offset = finding.offset { members.append(("offset", .int(Int64(offset)))) }
        return .object(members)
    }
}
