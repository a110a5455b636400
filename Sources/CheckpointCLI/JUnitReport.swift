import Verification

/// Verification results as JUnit XML: a test suite per checkpoint (and per directory), a test
/// case per tensor, and a test case for problems that concern no single tensor.
enum JUnitReport {
    static func xml(checkpoints: [CheckpointReport], directories: [DirectoryReport]) -> String {
        var suites: [String] = []
        for directory in directories {
            suites.append(
                suite(
                    name: directory.path, seconds: 0,
                    cases: [testCase(name: "(directory)", className: directory.path, failures: directory.findings)]))
        }
        for report in checkpoints {
            var cases = report.tensors.map { status in
                testCase(
                    name: status.summary.name, className: report.prefix,
                    failures: report.findings.filter { belongs($0, to: status.summary.name) })
            }
            cases.append(testCase(name: "(structure)", className: report.prefix, failures: report.findings.filter { $0.tensor == nil }))
            suites.append(suite(name: report.prefix, seconds: report.seconds, cases: cases))
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n" + suites.joined() + "</testsuites>\n"
    }

    /// Whether a finding concerns the variable `name` or one of its slices (`name (slice …)`).
    private static func belongs(_ finding: Finding, to name: String) -> Bool {
        guard let tensor = finding.tensor else { return false }
        return tensor == name || tensor.hasPrefix(name + " (slice ")
    }

    private static func suite(name: String, seconds: Double, cases: [(xml: String, failed: Bool)]) -> String {
        let failures = cases.filter(\.failed).count
        return
            "  <testsuite name=\"\(MarkupText.escape(name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds)\">\n"
            + cases.map(\.xml).joined() + "  </testsuite>\n"
    }

    private static func testCase(name: String, className: String, failures: [Finding]) -> (xml: String, failed: Bool) {
        let errors = failures.filter { $0.severity == .error }
        var xml = "    <testcase classname=\"\(MarkupText.escape(className))\" name=\"\(MarkupText.escape(name))\""
        guard !errors.isEmpty || failures.contains(where: { $0.severity == .warning }) else { return (xml + "/>\n", false) }
        xml += ">\n"
        for error in errors {
            xml += "      <failure type=\"\(MarkupText.escape(error.code.rawValue))\" message=\"\(MarkupText.escape(error.message))\"/>\n"
        }
        let warnings = failures.filter { $0.severity == .warning }.map { "warning \($0.code): \($0.message)" }
        if !warnings.isEmpty { xml += "      <system-out>\(MarkupText.escape(warnings.joined(separator: "\n")))</system-out>\n" }
        return (xml + "    </testcase>\n", !errors.isEmpty)
    }
}
