import FixtureSupport
import Foundation
import Testing

@Suite struct DeltaCommandTests {
    @Test func createApplyInfo() throws {
        let directory = TemporaryDirectory()
        let base = Fixtures.path("sharded_tf1/model.ckpt-1")
        let target = Fixtures.path("sharded_tf1/model.ckpt-2")
        let created = try ToolRunner.run("ckptdelta", ["create", base, target, "-o", directory.path("d")])
        #expect(created.status == 0, "\(created.standardError)")
        #expect(created.standardOutput.contains("model.ckpt-2 in"))
        let applied = try ToolRunner.run("ckptdelta", ["apply", base, directory.path("d"), "-o", directory.path("out")])
        #expect(applied.status == 0, "\(applied.standardError)")
        for name in ["model.ckpt-2.index", "model.ckpt-2.data-00000-of-00002", "model.ckpt-2.data-00001-of-00002"] {
            #expect(TestFiles.read(directory.path("out/" + name)) == TestFiles.read(Fixtures.path("sharded_tf1/" + name)))
        }
        let info = try ToolRunner.run("ckptdelta", ["info", "--json", directory.path("d")])
        let document = try ToolRunner.json(info.standardOutput)
        #expect((document["base"] as! [String: Any])["name"] as! String == "model.ckpt-1")
        let variables = (document["variables"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(Set(variables) == ["tower0/w", "tower1/name", "tower1/w"])
        let text = try ToolRunner.run("ckptdelta", ["info", directory.path("d")])
        #expect(text.standardOutput.contains("tower1/name") && text.standardOutput.contains("copy"))
    }

    @Test func troubleIsOneLineAndExitTwo() throws {
        let directory = TemporaryDirectory()
        let base = Fixtures.path("tf2_keras_adam/ckpt-10")
        _ = try ToolRunner.run("ckptdelta", ["create", base, Fixtures.path("tf2_keras_adam/ckpt-11"), "-o", directory.path("d")])
        let wrong = try ToolRunner.run(
            "ckptdelta", ["apply", Fixtures.path("tf2_keras_adam/ckpt-2"), directory.path("d"), "-o", directory.path("o")])
        #expect(wrong.status == 2)
        #expect(wrong.standardError.hasPrefix("ckptdelta: ") && wrong.standardError.contains("is not the base of"))
        #expect(wrong.standardError.split(separator: "\n").count == 1)
        let existing = try ToolRunner.run(
            "ckptdelta", ["create", base, Fixtures.path("tf2_keras_adam/ckpt-11"), "-o", directory.path("d")])
        #expect(existing.status == 2)
        let notDelta = try ToolRunner.run("ckptdelta", ["info", base + ".index"])
        #expect(notDelta.status == 2 && notDelta.standardError.contains("not a checkpoint delta"))
        let usage = try ToolRunner.run("ckptdelta", ["create", base, "-o", directory.path("e")])
        #expect(usage.status == 2)
    }

    /// An apply killed at any moment leaves either nothing that looks like a checkpoint (no
    /// `.index`) or the complete, correct checkpoint.
    @Test func killedApplyLeavesNoFalseCheckpoint() throws {
        let directory = TemporaryDirectory()
        let base = Fixtures.path("tf2_keras_adam/ckpt-1")
        let target = Fixtures.path("tf2_keras_adam/ckpt-40")
        _ = try ToolRunner.run("ckptdelta", ["create", base, target, "-o", directory.path("d")])
        for delay in [0, 1, 2, 5, 10, 20] {
            let out = directory.path("out\(delay)")
            let process = try ToolRunner.start("ckptdelta", ["apply", "--jobs", "1", base, directory.path("d"), "-o", out])
            usleep(useconds_t(delay * 1000))
            process.kill(SIGKILL)
            _ = process.wait()
            let index = out + "/ckpt-40.index"
            if FileManager.default.fileExists(atPath: index) {
                #expect(TestFiles.read(index) == TestFiles.read(target + ".index"))
                #expect(TestFiles.read(out + "/ckpt-40.data-00000-of-00001") == TestFiles.read(target + ".data-00000-of-00001"))
            }
        }
    }
}
