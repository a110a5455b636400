import FixtureSupport
import Foundation
import Testing

/// A report that was not delivered is a failure: every command whose result is its standard
/// output exits 2 with one line when that output cannot be written (a full disk), and ends
/// quietly, by SIGPIPE as other Unix tools do, when its reader has gone (`… | head`).
@Suite struct DeliveryTests {
    /// The commands whose standard output is their report.
    static func reports(_ directory: TemporaryDirectory) throws -> [(tool: String, arguments: [String])] {
        let archive = directory.path("archive")
        let archived = try ToolRunner.run("ckptdelta", ["archive", "--quiet", Fixtures.path("tf1_saver"), archive])
        #expect(archived.status == 0)
        let run = Fixtures.path("tf2_keras_adam")
        return [
            ("ckptverify", ["--json", run]), ("ckptverify", ["--part", "0/2", run]), ("ckptverify", ["--list", run]),
            ("ckptverify", [run]), ("ckptdiff", ["--json", run + "/ckpt-10", run + "/ckpt-11"]),
            ("ckptdiff", [run + "/ckpt-10", run + "/ckpt-11"]), ("ckptdelta", ["ls", "--json", archive]),
            ("ckptdelta", ["verify", archive]),
        ]
    }

    @Test func aFullDiskIsExitTwo() throws {
        let directory = TemporaryDirectory()
        for (tool, arguments) in try Self.reports(directory) {
            let result = try ToolRunner.runShell(
                "exec \"$0\" \"$@\" > /dev/full", [ToolRunner.productsDirectory.appendingPathComponent(tool).path] + arguments)
            let context = "\(tool) \(arguments.joined(separator: " ")): \(result.status) \(result.standardError)"
            #expect(result.status == 2, "\(context)")
            #expect(
                result.standardError == "\(tool): standard output: No space left on device; the report was not delivered\n", "\(context)")
        }
    }

    @Test func aClosedPipeEndsQuietly() throws {
        let directory = TemporaryDirectory()
        for (tool, arguments) in try Self.reports(directory) {
            // The reader closes its end at once and stays: every write finds no reader.
            let result = try ToolRunner.runShell(
                "\"$0\" \"$@\" | { exec 0<&-; sleep 0.3; }; echo \"${PIPESTATUS[0]}\"",
                [ToolRunner.productsDirectory.appendingPathComponent(tool).path] + arguments, shell: "/bin/bash")
            let context = "\(tool) \(arguments.joined(separator: " ")): \(result.standardOutput) \(result.standardError)"
            #expect(result.standardOutput == "141\n", "\(context)")
            #expect(result.standardError.isEmpty, "\(context)")
        }
    }
}
