import FixtureSupport
import Foundation
import Testing

/// Numbers and names in the files these tools write (archive manifests, partial reports),
/// edited by hand or by an attacker: every out-of-range number and every name the tools would
/// never write is refused with one line naming the file, never a trap.
@Suite struct HostileRecordTests {
    /// Runs `tool` and expects exit 2 without a trap, with one line saying each of `causes`.
    static func expectRefused(_ tool: String, _ arguments: [String], saying causes: [String]) throws {
        let result = try ToolRunner.run(tool, arguments, timeLimit: 60)
        let context = "\(tool) \(arguments.joined(separator: " ")): \(result.status) \(result.standardError)"
        #expect(result.signal == nil && result.status == 2, "\(context)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(context)")
        for cause in causes { #expect(result.standardError.contains(cause), "\(context)") }
    }

    /// An archive of the Keras run and its manifest's text.
    static func archive(_ directory: TemporaryDirectory) throws -> (path: String, manifest: String) {
        let archive = directory.path("archive")
        #expect(try ToolRunner.run("ckptdelta", ["archive", "--quiet", Fixtures.path("tf2_keras_adam"), archive]).status == 0)
        return (archive, String(decoding: TestFiles.read(archive + "/archive.json"), as: UTF8.self))
    }

    @Test func archiveManifestsTheToolWouldNeverWrite() throws {
        let directory = TemporaryDirectory()
        let (archive, text) = try Self.archive(directory)
        let manifest = archive + "/archive.json"
        // The first file's size, whatever the encoding made it.
        let size = try #require(text.firstMatch(of: /"size":[0-9]+,/)).output
        let edits: [(String, String, String)] = [
            // Sizes summing past Int64 (ckptdelta ls trapped adding them).
            (String(size), "\"size\":9223372036854775807,", "size fields add up past"),
            ("\"raw_size\":44055}", "\"raw_size\":9223372036854775807}", "raw_size fields add up past"),
            // A checkpoint name with a NUL (restore opened the path cut at it) or a newline.
            ("\"checkpoint\":\"ckpt-2\"", "\"checkpoint\":\"ckpt-2\\u0000x\"", "holds a control character"),
            ("\"checkpoint\":\"ckpt-2\"", "\"checkpoint\":\"ckpt\\n-2\"", "holds a control character"),
            // A member given twice: this reader would take the first, Python's the last.
            ("\"step\":2,", "\"step\":2,\"step\":3,", "appears twice"),
            // A chain based on its own step (listed, where verify refused it).
            ("\"base_step\":2,\"depth\":2", "\"base_step\":3,\"depth\":2", "not an earlier one"),
        ]
        for (from, to, cause) in edits {
            #expect(text.contains(from), "\(from)")
            TestFiles.write(Array(text.replacingOccurrences(of: from, with: to).utf8), to: manifest)
            for arguments in [
                ["ls", archive], ["ls", "--json", archive], ["verify", archive],
                ["restore", archive, "--latest", "-o", directory.path("out")],
            ] {
                try Self.expectRefused("ckptdelta", arguments, saying: [manifest, cause])
            }
            #expect(!FileManager.default.fileExists(atPath: directory.path("out")))
        }
    }

    @Test func partialReportsWhoseNumbersCannotBeTrue() throws {
        let directory = TemporaryDirectory()
        let run = Fixtures.path("tf2_keras_adam/ckpt-10")
        var files: [String] = []
        for index in 0..<2 {
            let part = try ToolRunner.run("ckptverify", ["--part", "\(index)/2", run])
            var document = try ToolRunner.json(part.standardOutput)
            var checkpoints = document["checkpoints"] as! [[String: Any]]
            checkpoints[0]["bytes_checked"] = Int64.max
            document["checkpoints"] = checkpoints
            files.append(directory.path("part-\(index).json"))
            TestFiles.write([UInt8](try JSONSerialization.data(withJSONObject: document)), to: files[index])
        }
        // ckptverify --merge trapped adding them.
        try Self.expectRefused("ckptverify", ["--merge"] + files, saying: ["bytes_checked", "add up past", files[0]])
        let text = String(decoding: TestFiles.read(files[0]), as: UTF8.self)
        for (from, to, cause) in [
            ("\"seconds\":", "\"seconds\":-", "seconds"), ("\"part\":0", "\"part\":0,\"part\":1", "appears twice"),
        ] {
            TestFiles.write(Array(text.replacingOccurrences(of: from, with: to).utf8), to: files[0])
            try Self.expectRefused("ckptverify", ["--merge"] + files, saying: [files[0], cause])
        }
    }

    /// `s3://BUCKET//` and other empty or dot segments name different objects in different
    /// stores (one collapses `//`, which bypassed the new-archive guard): refused before any request.
    @Test func objectKeysWithEmptySegmentsAreRefused() throws {
        let environment = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"]
        for url in ["s3://bucket//", "s3://bucket//run", "s3://bucket/run//ckpt-1", "s3://bucket/run/../x", "s3://bucket/./run/"] {
            for (tool, arguments) in [
                ("ckptverify", [url]), ("ckptdelta", ["archive", Fixtures.path("tf1_saver"), url]), ("ckptdelta", ["ls", url]),
            ] {
                let result = try ToolRunner.run(tool, arguments, timeLimit: 30, environment: environment)
                #expect(result.status == 2 && result.standardError.contains("not an object-store URL"), "\(url): \(result.standardError)")
                #expect(!result.standardError.contains("did not answer"), "\(url): reached the network")
            }
        }
    }
}
