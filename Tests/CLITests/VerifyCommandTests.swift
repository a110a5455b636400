import FixtureSupport
import Foundation
import FoundationXML
import Testing

@Suite struct VerifyCommandTests {
    @Test func cleanFixturesExitZero() throws {
        // Every directory holding fixture checkpoints (a group's, or one run's of `optimizers`).
        let directories = Set(Fixtures.manifest.values.flatMap { $0 }.map { ($0.prefix as NSString).deletingLastPathComponent })
        for directory in directories.sorted() {
            let result = try ToolRunner.run("ckptverify", [Fixtures.path(directory)])
            #expect(result.status == 0, "\(directory): \(result.standardOutput) \(result.standardError)")
            #expect(result.standardOutput.contains(": ok;"))
        }
    }

    @Test func listsLikeInspectCheckpoint() throws {
        let text = try ToolRunner.run("ckptverify", ["--list", Fixtures.path("dtypes/zoo.index")])
        #expect(text.status == 0)
        let line = text.standardOutput.split(separator: "\n").first { $0.contains("héllo/wört/名前") }
        #expect(line?.split(separator: " ").map(String.init) == ["héllo/wört/名前", "float32", "[2]", "0", "8", "2"])
        let result = try ToolRunner.run("ckptverify", ["--list", "--json", Fixtures.path("partitioned/tf1-partitioned")])
        let document = try ToolRunner.json(result.standardOutput)
        let checkpoint = (document["checkpoints"] as! [[String: Any]])[0]
        let variables = checkpoint["variables"] as! [[String: Any]]
        let expected = Fixtures.manifest["partitioned"]!.first { $0.prefix == "partitioned/tf1-partitioned" }!
        #expect(variables.map { $0["name"] as! String } == expected.variables.map(\.name))
        let embedding = variables.first { $0["name"] as! String == "embedding" }!
        #expect(embedding["slices"] as! Int == 3)
        #expect(embedding["parameters"] as! Int == 40)
        #expect(embedding["size"] as! Int == 160)
        #expect(embedding["shard"] is NSNull)
    }

    /// `--list` names variables as the object graph (or TF1's conventions) does, with each
    /// variable's optimizer slots under it; `--keys` lists the stored keys; JSON has both.
    @Test func listsByNamesWithSlotsUnderTheirVariables() throws {
        let keras = Fixtures.path("tf2_keras_adam/ckpt-3")
        let named = try ToolRunner.run("ckptverify", ["--list", keras])
        let lines = named.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let kernel = try #require(lines.firstIndex { $0.hasPrefix("sequential/logits/kernel ") })
        #expect(lines[kernel + 1].hasPrefix("↳ momentum") && lines[kernel + 2].hasPrefix("↳ velocity"))
        #expect(!named.standardOutput.contains(".ATTRIBUTES"))
        let keys = try ToolRunner.run("ckptverify", ["--list", "--keys", keras])
        #expect(keys.standardOutput.contains("optimizer/_variables/2/.ATTRIBUTES/VARIABLE_VALUE") && !keys.standardOutput.contains("↳"))
        let json = try ToolRunner.json(try ToolRunner.run("ckptverify", ["--list", "--json", keras]).standardOutput)
        let variables = ((json["checkpoints"] as! [[String: Any]])[0]["variables"] as! [[String: Any]])
        let byKey = Dictionary(uniqueKeysWithValues: variables.map { ($0["key"] as! String, $0) })
        let momentum = try #require(variables.first { $0["name"] as? String == "adam/sequential_logits_kernel_momentum" })
        #expect(momentum["role"] as? String == "slot" && momentum["slot"] as? String == "momentum")
        #expect(byKey[momentum["slot_of"] as! String]?["name"] as? String == "sequential/logits/kernel")
        #expect(momentum["layer"] as? String == "sequential/logits")
        let tf1 = try ToolRunner.run("ckptverify", ["--list", Fixtures.path("tf1_saver/model.ckpt-50")])
        let tf1Lines = tf1.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let bias = try #require(tf1Lines.firstIndex { $0.hasPrefix("dense/bias ") })
        #expect(tf1Lines[bias + 1].hasPrefix("↳ m ") && tf1Lines[bias + 2].hasPrefix("↳ v "))
    }

    @Test func corruptDataExitsOneAndNamesTheTensor() throws {
        let directory = TemporaryDirectory()
        let folder = directory.copy(fixture: "dtypes")
        let data = folder + "/zoo.data-00000-of-00001"
        let bundle = try TensorBundleProbe.entry(prefix: folder + "/zoo", name: "float64")
        var bytes = TestFiles.read(data)
        bytes[Int(bundle.offset) + 3] ^= 0x10
        TestFiles.write(bytes, to: data)
        let result = try ToolRunner.run("ckptverify", [folder])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("ckptverify: \(folder)/zoo: tensor float64: checksum does not match"))
        let json = try ToolRunner.run("ckptverify", ["--json", folder])
        let document = try ToolRunner.json(json.standardOutput)
        #expect(document["ok"] as! Bool == false)
        let checkpoint = (document["checkpoints"] as! [[String: Any]])[0]
        let findings = checkpoint["findings"] as! [[String: Any]]
        #expect(findings.map { $0["code"] as! String } == ["data.checksum_mismatch"])
        #expect(findings[0]["tensor"] as! String == "float64")
        let statuses = (checkpoint["tensors"] as! [[String: Any]]).filter { $0["status"] as! String != "ok" }
        #expect(statuses.map { $0["name"] as! String } == ["float64"])
    }

    @Test func badArgumentsExitTwoWithOneLine() throws {
        let missing = try ToolRunner.run("ckptverify", ["/definitely/not/here"])
        #expect(missing.status == 2)
        #expect(
            missing.standardError
                == "ckptverify: /definitely/not/here: no such checkpoint (neither a directory, an .index file nor a prefix with one)\n")
        let usage = try ToolRunner.run("ckptverify", ["--no-such-flag", "x"])
        #expect(usage.status == 2)
        #expect(usage.standardError.hasPrefix("ckptverify: Unknown option '--no-such-flag'"))
        let help = try ToolRunner.run("ckptverify", ["--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: ckptverify"))
    }
}

@Suite struct VerifyReportFormatTests {
    @Test func junitHasASuitePerCheckpointAndACasePerTensor() throws {
        let directory = TemporaryDirectory()
        let folder = directory.copy(fixture: "sharded_tf1")
        let entry = try TensorBundleProbe.entry(prefix: folder + "/model.ckpt-2", name: "tower0/w")
        var bytes = TestFiles.read(folder + "/model.ckpt-2.data-00000-of-00002")
        bytes[Int(entry.offset)] ^= 1
        TestFiles.write(bytes, to: folder + "/model.ckpt-2.data-00000-of-00002")
        let junit = directory.path("report.xml")
        let result = try ToolRunner.run("ckptverify", ["--quiet", "--junit", junit, folder])
        #expect(result.status == 1)
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: junit))
        let suites = try document.nodes(forXPath: "/testsuites/testsuite")
        #expect(suites.count == 3)  // the directory and two checkpoints
        let failures = try document.nodes(forXPath: "//testcase[failure]/@name").compactMap(\.stringValue)
        #expect(failures == ["tower0/w"])
        let cases = try document.nodes(forXPath: "//testsuite[contains(@name, 'model.ckpt-2')]/testcase").count
        #expect(cases == 4)  // three tensors and the structure case
    }

    @Test func directoriesAreReportedInJSON() throws {
        let result = try ToolRunner.run("ckptverify", ["--json", "--structure-only", Fixtures.path("tf1_saver")])
        #expect(result.status == 0)
        let document = try ToolRunner.json(result.standardOutput)
        let directories = document["directories"] as! [[String: Any]]
        let codes = (directories[0]["findings"] as! [[String: Any]]).map { $0["code"] as! String }
        #expect(codes == ["state.relocated", "state.relocated", "state.relocated"])
        #expect((document["checkpoints"] as! [Any]).count == 3)
    }

    @Test func badJobsIsAUsageError() throws {
        let result = try ToolRunner.run("ckptverify", ["--jobs", "0", Fixtures.path("dtypes")])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--jobs must be at least 1"))
    }
}
