import FixtureSupport
import Foundation
import Testing

/// `ckptverify --part I/N` on many machines and `--merge` of their reports, on local checkpoints.
@Suite struct PartialVerifyTests {
    /// The report without timings, as canonical JSON.
    static func canonical(_ output: String) throws -> String {
        var document = try ToolRunner.json(output)
        document["checkpoints"] = (document["checkpoints"] as? [[String: Any]])?.map { checkpoint in
            var checkpoint = checkpoint
            checkpoint["seconds"] = nil
            return checkpoint
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test(arguments: [1, 2, 5, 40])
    func sharesMergeIntoExactlyTheReportOfOneRun(count: Int) throws {
        let scratch = TemporaryDirectory()
        let run = scratch.copy(fixture: "sharded_tf2")
        // Damage two tensors in different places, so that different shares find them.
        for name in try FileManager.default.contentsOfDirectory(atPath: run) where name.contains(".data-") {
            var bytes = TestFiles.read(run + "/" + name)
            bytes[bytes.count / 4] ^= 0x10
            TestFiles.write(bytes, to: run + "/" + name)
        }
        let whole = try ToolRunner.run("ckptverify", ["--json", run])
        #expect(whole.status == 1)
        var files: [String] = []
        var failures = 0
        for index in 0..<count {
            let part = try ToolRunner.run("ckptverify", ["--part", "\(index)/\(count)", run])
            #expect(part.status <= 1, "\(part.standardError)")
            let document = try ToolRunner.json(part.standardOutput)
            failures += (document["checkpoints"] as! [[String: Any]]).reduce(0) { $0 + ($1["data_failures"] as! [Any]).count }
            files.append(scratch.path("part-\(index).json"))
            TestFiles.write(Array(part.standardOutput.utf8), to: files.last!)
        }
        #expect(failures >= 2)
        let merged = try ToolRunner.run("ckptverify", ["--merge", "--json"] + files.shuffled())
        #expect(merged.status == 1, "\(merged.standardError)")
        #expect(try Self.canonical(merged.standardOutput) == Self.canonical(whole.standardOutput))
        let text = try ToolRunner.run("ckptverify", ["--merge"] + files)
        #expect(text.standardOutput.contains("checksum does not match"))
    }

    @Test func theSchedulerGivesTheIndex() throws {
        let path = Fixtures.path("tf2_keras_adam")
        let kubernetes = try ToolRunner.run("ckptverify", ["--part", "3", path], environment: ["JOB_COMPLETION_INDEX": "2"])
        #expect(try ToolRunner.json(kubernetes.standardOutput)["part"] as? Int == 2)
        let slurm = try ToolRunner.run(
            "ckptverify", ["--part", "3", path],
            environment: ["JOB_COMPLETION_INDEX": nil, "SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1"])
        #expect(try ToolRunner.json(slurm.standardOutput)["part"] as? Int == 2)
        let unset = try ToolRunner.run(
            "ckptverify", ["--part", "3", path], environment: ["JOB_COMPLETION_INDEX": nil, "SLURM_ARRAY_TASK_ID": nil])
        #expect(unset.status == 2 && unset.standardError.contains("neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID"))
        let outside = try ToolRunner.run("ckptverify", ["--part", "3", path], environment: ["JOB_COMPLETION_INDEX": "3"])
        #expect(outside.status == 2 && outside.standardError.contains("not in 0..<3"))
        for bad in ["3/3", "-1/2", "a/b", "0/0"] {
            let result = try ToolRunner.run("ckptverify", ["--part", bad, path])
            #expect(result.status == 2, "\(bad)")
        }
    }

    @Test func mergeRefusesReportsThatDoNotFitTogether() throws {
        let scratch = TemporaryDirectory()
        let run = scratch.copy(fixture: "tf2_keras_adam")
        func part(_ index: Int, of count: Int, _ path: String = "") throws -> String {
            let result = try ToolRunner.run("ckptverify", ["--part", "\(index)/\(count)", path.isEmpty ? run : path])
            let file = scratch.path("p\(index)-\(count)-\(path.isEmpty ? "run" : "other").json")
            TestFiles.write(Array(result.standardOutput.utf8), to: file)
            return file
        }
        let twice = try ToolRunner.run("ckptverify", ["--merge", try part(0, of: 2), try part(0, of: 2)])
        #expect(twice.status == 2 && twice.standardError.contains("missing 1/2"))
        let mixed = try ToolRunner.run("ckptverify", ["--merge", try part(0, of: 2), try part(1, of: 3)])
        #expect(mixed.status == 2)
        let others = try ToolRunner.run("ckptverify", ["--merge", try part(0, of: 2), try part(1, of: 2, Fixtures.path("dtypes"))])
        #expect(others.status == 2 && others.standardError.contains("different checkpoints"))
        // An index that changed after the shares read it.
        let first = try part(0, of: 2)
        let second = try part(1, of: 2)
        try FileManager.default.removeItem(atPath: run + "/ckpt-1.index")
        try FileManager.default.copyItem(atPath: Fixtures.path("tf2_keras_adam/ckpt-2.index"), toPath: run + "/ckpt-1.index")
        let changed = try ToolRunner.run("ckptverify", ["--merge", first, second])
        #expect(changed.status == 2 && changed.standardError.contains("changed since a partial report read it"), "\(changed.standardError)")
        TestFiles.write(Array("{}".utf8), to: scratch.path("junk.json"))
        let junk = try ToolRunner.run("ckptverify", ["--merge", scratch.path("junk.json")])
        #expect(junk.status == 2 && junk.standardError.contains("not a ckptverify partial report"))
    }
}
