import FixtureSupport
import Testing

/// Long work draws a progress bar on a terminal only (bytes, rate, time left; checked by hand
/// under `script`): piped, standard error holds nothing but problems.
@Suite struct ProgressTests {
    @Test func nothingWhenPiped() throws {
        let directory = TemporaryDirectory()
        let run = Fixtures.path("tf2_keras_adam")
        let (delta, archive) = (directory.path("d.ckptdelta"), directory.path("archive"))
        let runs: [(String, [String])] = [
            ("ckptverify", [run]),
            ("ckptdiff", [run + "@10", run + "@11"]),
            ("ckptdelta", ["create", run + "@10", run + "@11", "-o", delta]),
            ("ckptdelta", ["apply", run + "/ckpt-10", delta, "-o", directory.path("applied")]),
            ("ckptdelta", ["archive", run, archive]),
            ("ckptdelta", ["restore", archive, "--latest", "-o", directory.path("restored")]),
            ("ckptdelta", ["verify", "--deep", archive]),
        ]
        for (tool, arguments) in runs {
            let result = try ToolRunner.run(tool, arguments, environment: ["TERM": "xterm"])
            #expect(result.status <= 1 && result.standardError.isEmpty, "\(tool) \(arguments): \(result.standardError)")
        }
    }
}
