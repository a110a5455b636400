import FixtureSupport
import Foundation
import Testing

/// What the tools print is safe: a name from a hostile directory, state file, argument or
/// delta can neither start a line of its own (forging "ok"), move the cursor, ring the bell,
/// nor clear the screen; every diagnostic is one line.
@Suite struct PrintedTextTests {
    /// The control characters a terminal acts on, as they may appear in text printed: none but
    /// the newline that ends each line.
    static func controls(in text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
    }

    @Test func hostileNamesArePrintedEscaped() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        // A file name that would rewrite the line ("…: ok") and one that rings the bell.
        TestFiles.write([], to: run + "/ckpt-99\u{1B}[2K\rckpt-10: ok.index")
        TestFiles.write([], to: run + "/ckpt-40.tempstate\u{7}\u{9B}1")
        // A state file naming checkpoints whose names set the window title and clear the screen.
        TestFiles.write(
            Array(
                "model_checkpoint_path: \"ckpt-\\033]0;owned\\007\"\nall_model_checkpoint_paths: \"ckpt-\\033[2J\\r\\nok\"\nall_model_checkpoint_paths: \"ckpt-\\033]0;owned\\007\"\n"
                    .utf8), to: run + "/checkpoint")
        let archive = directory.path("archive")
        for (tool, arguments) in [
            ("ckptverify", [run]), ("ckptverify", ["--list", run]), ("ckptverify", ["--quiet", run + "/"]),
            ("ckptdelta", ["archive", run, archive]), ("ckptdelta", ["verify", archive]),
            ("ckptverify", [run + "/ckpt-\u{1B}[31mred\nok"]), ("ckptdiff", [run + "@10", run + "/\u{7}ckpt-11"]),
        ] {
            let result = try ToolRunner.run(tool, arguments, timeLimit: 60)
            let context = "\(tool) \(arguments): \(result.status)"
            #expect(result.signal == nil, "\(context)")
            #expect(
                Self.controls(in: result.standardOutput + result.standardError).isEmpty,
                "\(context): \(result.standardOutput)\(result.standardError)")
            // No line was forged: every line that says "ok" is a summary of a real checkpoint.
            for line in (result.standardOutput + result.standardError).split(separator: "\n") where line.hasSuffix(": ok") {
                Issue.record("\(context): a line ends in ': ok': \(line)")
            }
            for line in result.standardError.split(separator: "\n") {
                #expect(line.hasPrefix("\(tool): "), "\(context): \(line)")
            }
        }
        // The refused names are reported, escaped, as names these tools do not read.
        let verified = try ToolRunner.run("ckptverify", [run])
        #expect(verified.standardOutput.contains("directory.bad_name") || verified.standardOutput.contains("control character"))
        #expect(verified.standardOutput.contains("\\x1b[2K\\rckpt-10: ok.index"), "\(verified.standardOutput)")
    }

    /// Credentials in an endpoint URL or an argument never appear in what any command prints,
    /// on any of its error paths.
    @Test func secretsInURLsAreNeverPrinted() throws {
        let secret = "hunter2-SECRET"
        let environments: [[String: String?]] = [
            ["AWS_ENDPOINT_URL": "http://KEY:\(secret)@127.0.0.1:9", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": secret],
            ["AWS_ENDPOINT_URL_S3": "https://KEY:\(secret)@localhost:1/", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": secret],
            // A store that does not answer: one attempt, a short connect timeout.
            [
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": secret,
                "CKPT_S3_CONNECT_TIMEOUT": "1", "AWS_MAX_ATTEMPTS": "1",
            ],
        ]
        let directory = TemporaryDirectory()
        let out = directory.path("out")
        let commands: [(String, [String])] = [
            ("ckptverify", ["s3://bucket/run/"]), ("ckptverify", ["--list", "s3://bucket/run/ckpt-1"]),
            ("ckptverify", ["--part", "0/2", "s3://bucket/run"]), ("ckptdiff", ["s3://bucket/a", "s3://bucket/b"]),
            ("ckptdelta", ["create", "--no-base", "s3://bucket/a", "-o", out]),
            ("ckptdelta", ["apply", "s3://bucket/d.ckptdelta", "-o", out]),
            ("ckptdelta", ["info", "s3://bucket/d.ckptdelta"]),
            ("ckptdelta", ["archive", Fixtures.path("tf1_saver"), "s3://bucket/arch/"]),
            ("ckptdelta", ["ls", "s3://bucket/arch/"]), ("ckptdelta", ["verify", "s3://bucket/arch/"]),
            ("ckptdelta", ["restore", "s3://bucket/arch/", "--latest", "-o", out]), ("ckptdelta", ["thaw", "s3://bucket/arch/", "--all"]),
            // Credentials written into the arguments themselves.
            ("ckptverify", ["https://KEY:\(secret)@storage.example.com/run"]), ("ckptverify", ["s3://KEY:\(secret)@bucket/run"]),
        ]
        for environment in environments {
            for (tool, arguments) in commands {
                let result = try ToolRunner.run(tool, arguments, timeLimit: 60, environment: environment)
                let said = result.standardOutput + result.standardError
                #expect(result.status == 2 && !result.timedOut, "\(tool) \(arguments): \(result.status) \(said)")
                #expect(!said.contains(secret), "\(tool) \(arguments): \(said)")
            }
        }
    }
}
