import FixtureSupport
import Foundation
import Testing

/// FIFOs, devices, over-long paths and other things that are not the regular files a tool
/// expects: each is refused at once with one line naming the path, never waited on.
@Suite struct SpecialFileTests {
    /// Replaces `path` with a FIFO (no writer ever opens it).
    static func fifo(at path: String) {
        try? FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o644) == 0)
    }

    /// Runs `tool` and expects `statuses`, a message naming `path` with "not a regular file",
    /// and an end well within the time limit.
    static func expectRefused(_ tool: String, _ arguments: [String], naming path: String, statuses: Set<Int32> = [2]) throws {
        let result = try ToolRunner.run(tool, arguments, timeLimit: 20)
        let context = "\(tool) \(arguments.joined(separator: " ")): status \(result.status), \(result.standardError)"
        #expect(!result.timedOut && result.signal == nil, "\(context)")
        #expect(statuses.contains(result.status), "\(context)")
        // ckptverify reports findings on standard output, trouble on standard error.
        let said = result.standardOutput + result.standardError
        #expect(said.contains(path) && said.contains("not a regular file"), "\(context)")
    }

    @Test func fifoInPlaceOfCheckpointFiles() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let good = Fixtures.path("tf2_keras_adam/ckpt-10")
        Self.fifo(at: run + "/ckpt-11.index")
        Self.fifo(at: run + "/ckpt-10.data-00000-of-00001")
        try Self.expectRefused("ckptverify", [run + "/ckpt-11"], naming: run + "/ckpt-11.index", statuses: [1])
        try Self.expectRefused("ckptverify", [run + "/ckpt-10"], naming: run + "/ckpt-10.data-00000-of-00001", statuses: [1])
        try Self.expectRefused("ckptverify", ["--list", run + "/ckpt-11"], naming: run + "/ckpt-11.index")
        try Self.expectRefused("ckptdiff", [good, run + "/ckpt-11"], naming: run + "/ckpt-11.index")
        try Self.expectRefused("ckptdiff", [good, run + "/ckpt-10"], naming: run + "/ckpt-10.data-00000-of-00001")
        try Self.expectRefused(
            "ckptdelta", ["create", good, run + "/ckpt-10", "-o", directory.path("d")], naming: run + "/ckpt-10.data-00000-of-00001")
        try Self.expectRefused("ckptdelta", ["create", run + "/ckpt-11", good, "-o", directory.path("d")], naming: run + "/ckpt-11.index")
        Self.fifo(at: run + "/checkpoint")
        // The directory's own checkpoints are still verified; the state file is an error finding.
        try Self.expectRefused("ckptverify", [run], naming: run + "/checkpoint", statuses: [1])
        let verified = try ToolRunner.run("ckptverify", ["--json", run], timeLimit: 20)
        #expect(
            verified.standardOutput.contains("state.unreadable") && verified.standardOutput.contains("ckpt-40"),
            "\(verified.standardOutput.prefix(400))")
    }

    @Test func fifoInPlaceOfDeltaAndArchiveFiles() throws {
        let directory = TemporaryDirectory()
        Self.fifo(at: directory.path("fifo.ckptdelta"))
        try Self.expectRefused("ckptdelta", ["info", directory.path("fifo.ckptdelta")], naming: directory.path("fifo.ckptdelta"))
        try Self.expectRefused(
            "ckptdelta", ["apply", directory.path("fifo.ckptdelta"), "-o", directory.path("out")],
            naming: directory.path("fifo.ckptdelta"))
        let archive = directory.path("archive")
        let archived = try ToolRunner.run("ckptdelta", ["archive", "--quiet", Fixtures.path("tf1_saver"), archive])
        #expect(archived.status == 0, "\(archived.standardError)")
        Self.fifo(at: archive + "/archive.json")
        for arguments in [
            ["ls", archive], ["verify", archive], ["restore", archive, "--latest", "-o", directory.path("r")],
            ["archive", Fixtures.path("tf1_saver"), archive],
        ] {
            try Self.expectRefused("ckptdelta", arguments, naming: archive + "/archive.json")
        }
    }

    @Test func deviceInPlaceOfDataFile() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let data = run + "/ckpt-10.data-00000-of-00001"
        try FileManager.default.removeItem(atPath: data)
        try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "/dev/zero")
        try Self.expectRefused("ckptverify", [run + "/ckpt-10"], naming: data, statuses: [1])
        try Self.expectRefused("ckptdiff", [Fixtures.path("tf2_keras_adam/ckpt-10"), run + "/ckpt-10"], naming: data)
    }

    @Test func overLongPathSaysSo() throws {
        let long = "/tmp/" + String(repeating: "x", count: 300) + "/ckpt-1"
        for (tool, arguments) in [
            ("ckptverify", [long]), ("ckptdiff", [long, long]), ("ckptdelta", ["create", "--no-base", long, "-o", "/tmp/unused"]),
        ] {
            let result = try ToolRunner.run(tool, arguments, timeLimit: 20)
            #expect(result.status == 2 && result.standardError.contains("File name too long"), "\(tool): \(result.standardError)")
        }
    }
}

extension SpecialFileTests {
    /// A name that is not UTF-8 is never repaired into another name: an argument is refused
    /// with one line, a directory entry is reported and skipped.
    @Test func namesThatAreNotUTF8() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf1_saver")
        let tool = ToolRunner.productsDirectory.appendingPathComponent("ckptverify").path
        // A file named with byte 0xFF, made and passed through the shell (Foundation's strings cannot hold it).
        let made = try ToolRunner.runShell(
            "cp \"$1/model.ckpt-30.index\" \"$1/bad$(printf '\\377').index\" && \"$0\" \"$1/bad$(printf '\\377')\"", tool, run)
        #expect(
            made.status == 2 && made.standardError.contains("not valid UTF-8") && made.standardError.contains("\\xff"),
            "\(made.standardError)")
        let listed = try ToolRunner.run("ckptverify", ["--structure-only", run])
        #expect(
            listed.standardOutput.contains("directory.bad_name") || listed.standardOutput.contains("is not valid UTF-8: skipped"),
            "\(listed.standardOutput)")
        #expect(!listed.standardOutput.contains("\u{FFFD}"))
    }
}

extension SpecialFileTests {
    /// A URL other than s3:// and gs:// is refused with one line, not taken for a relative path;
    /// an s3:// one without credentials says so in one line, and nothing local is created.
    @Test func objectStoreURLsAreNotLocalPaths() throws {
        let runs: [(String, [String])] = [
            ("ckptverify", ["az://bucket/run/ckpt-1"]), ("ckptdiff", ["https://example.com/a", Fixtures.path("tf2_keras_adam/ckpt-1")]),
            ("ckptdelta", ["archive", Fixtures.path("tf1_saver"), "hdfs://namenode/archive"]),
        ]
        for (tool, arguments) in runs {
            let result = try ToolRunner.run(tool, arguments)
            #expect(
                result.status == 2
                    && result.standardError.contains("only s3:// (S3-compatible stores) and gs:// (Google Cloud Storage) URLs"),
                "\(tool): \(result.standardError)")
        }
        let noCredentials: [String: String?] = [
            "AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_PROFILE": nil, "HOME": NSTemporaryDirectory(),
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
        for (tool, arguments) in [
            ("ckptverify", ["s3://bucket/run/ckpt-1"]), ("ckptdelta", ["archive", Fixtures.path("tf1_saver"), "s3://bucket/archive"]),
        ] {
            let result = try ToolRunner.run(tool, arguments, environment: noCredentials)
            #expect(result.status == 2 && result.standardError.contains("no AWS credentials found"), "\(tool): \(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1)
        }
        // gs:// without credentials: no key file, no gcloud login, no metadata server.
        let noGoogle: [String: String?] = [
            "GOOGLE_APPLICATION_CREDENTIALS": nil, "STORAGE_EMULATOR_HOST": nil, "CLOUDSDK_CONFIG": nil, "HOME": NSTemporaryDirectory(),
            "GCE_METADATA_HOST": "127.0.0.1:9",
        ]
        let google = try ToolRunner.run("ckptverify", ["gs://bucket/run/ckpt-1"], timeLimit: 60, environment: noGoogle)
        #expect(google.status == 2 && google.standardError.contains("no Google credentials found"), "\(google.standardError)")
        #expect(google.standardError.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: "s3:") && !FileManager.default.fileExists(atPath: "gs:"))
        // Google's classes, refused before anything is read; and a gs:// archive never needs a thaw.
        let glacier = try ToolRunner.run(
            "ckptdelta", ["archive", "--storage-class", "GLACIER", Fixtures.path("tf1_saver"), "gs://bucket/archive/"],
            environment: noGoogle)
        #expect(
            glacier.status == 2
                && glacier.standardError.contains("Google Cloud Storage's classes are STANDARD, NEARLINE, COLDLINE, ARCHIVE"))
        let thaw = try ToolRunner.run("ckptdelta", ["thaw", "gs://bucket/archive/", "--latest"], environment: noGoogle)
        #expect(thaw.status == 0 && thaw.standardOutput.contains("nothing to thaw"), "\(thaw.standardOutput)\(thaw.standardError)")
        let regex = try ToolRunner.run(
            "ckptdiff", ["--include", "s3://x|kernel", Fixtures.path("tf2_keras_adam/ckpt-1"), Fixtures.path("tf2_keras_adam/ckpt-1")])
        #expect(regex.status == 0, "a regular expression is not a path: \(regex.standardError)")
    }
}
