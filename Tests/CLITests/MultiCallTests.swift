import FixtureSupport
import Foundation
import Testing

/// `ckpt-tools`, the three tools in one executable (as the release archive and the wheel ship
/// them), and what `--version` names.
@Suite struct MultiCallTests {
    @Test func runsTheToolItsFirstArgumentNames() throws {
        let fixture = Fixtures.path("tf2_keras_adam")
        let multi = try ToolRunner.run("ckpt-tools", ["ckptverify", "--list", "--json", fixture])
        let single = try ToolRunner.run("ckptverify", ["--list", "--json", fixture])
        #expect(multi.status == 0, "\(multi.standardError)")
        #expect(multi.standardOutput.contains("sequential/hidden/kernel") && multi.standardOutput == single.standardOutput)
        let different = try ToolRunner.run(
            "ckpt-tools", ["ckptdiff", Fixtures.path("tf2_keras_adam/ckpt-1"), Fixtures.path("tf2_keras_adam/ckpt-2")])
        #expect(different.status == 1)
        // Options after the tool's name are the tool's, not the executable's.
        let help = try ToolRunner.run("ckpt-tools", ["ckptdelta", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: ckptdelta"))
    }

    @Test func runsTheToolItsLinkNames() throws {
        let folder = TemporaryDirectory()
        let link = folder.path("ckptdiff")
        try FileManager.default.createSymbolicLink(
            atPath: link, withDestinationPath: ToolRunner.productsDirectory.appendingPathComponent("ckpt-tools").path)
        let same = Fixtures.path("tf2_keras_adam/ckpt-2")
        let result = try ToolRunner.launch(URL(fileURLWithPath: link), [same, same], timeLimit: 60)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("identical"))
    }

    @Test func anythingElseIsOneLineOfTrouble() throws {
        for arguments in [["ckptfoo", "x"], [], ["--json"]] {
            let result = try ToolRunner.run("ckpt-tools", arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardOutput.isEmpty)
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("ckpt-tools: ") && lines[0].contains("ckptverify,ckptdiff,ckptdelta"))
        }
    }

    /// Built in a git checkout, every tool's `--version` names the checkout's commit.
    @Test func versionNamesTheCommitOfTheCheckout() throws {
        let package = (Fixtures.root as NSString).deletingLastPathComponent
        let head = try ToolRunner.runShell("git -c safe.directory='*' -C \"$0\" rev-parse --short=12 HEAD", package)
        for tool in ["ckptverify", "ckptdiff", "ckptdelta"] {
            let version = try ToolRunner.run(tool, ["--version"])
            #expect(version.status == 0)
            #expect(
                version.standardOutput.wholeMatch(of: /\d+\.\d+\.\d+( \([0-9a-f]{12}(-dirty)?\))?\n/) != nil, "\(version.standardOutput)")
            if head.status == 0 {  // a git checkout (a source archive has no commit to name)
                let commit = head.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(version.standardOutput.contains("(\(commit)"), "\(version.standardOutput) lacks \(commit)")
            }
        }
        let multi = try ToolRunner.run("ckpt-tools", ["--version"])
        let single = try ToolRunner.run("ckptverify", ["--version"])
        #expect(multi.status == 0 && multi.standardOutput == "ckpt-tools " + single.standardOutput)
    }
}
