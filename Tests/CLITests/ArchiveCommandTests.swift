import FixtureSupport
import Foundation
import Testing

@Suite struct ArchiveCommandTests {
    @Test func archiveListVerifyRestore() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        let archived = try ToolRunner.run("ckptdelta", ["archive", Fixtures.path("tf2_keras_adam"), archive])
        #expect(archived.status == 0, "\(archived.standardError)")
        #expect(archived.standardOutput.contains("ckpt-1: keyframe") && archived.standardOutput.contains("ckpt-2: delta against step 1"))
        let listed = try ToolRunner.json(try ToolRunner.run("ckptdelta", ["ls", "--json", archive]).standardOutput)
        let steps = (listed["steps"] as! [[String: Any]]).map { $0["step"] as! Int }
        #expect(steps == [1, 2, 3, 10, 11, 40])
        #expect((listed["ratio"] as! Double) < 0.7)
        let table = try ToolRunner.run("ckptdelta", ["ls", archive])
        #expect(table.standardOutput.contains("keyframe") && table.standardOutput.contains("total"))
        let verified = try ToolRunner.run("ckptdelta", ["verify", "--deep", "--scratch", directory.path, archive])
        #expect(verified.status == 0 && verified.standardOutput.contains("ok; 6 step(s) checked, every one rebuilt"))
        let restored = try ToolRunner.run("ckptdelta", ["restore", archive, "--latest", "-o", directory.path("out")])
        #expect(restored.status == 0, "\(restored.standardError)")
        var files = try TestFiles.contents(ofDirectory: directory.path("out"))
        #expect(files.removeValue(forKey: "checkpoint") != nil)
        #expect(try files == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-40")))
        let usage = try ToolRunner.run("ckptdelta", ["restore", archive, "-o", directory.path("out2")])
        #expect(usage.status == 2)
    }

    @Test func problemsExitOneAndTroubleTwo() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let data = run + "/ckpt-3.data-00000-of-00001"
        var bytes = TestFiles.read(data)
        bytes[10] ^= 0x01
        TestFiles.write(bytes, to: data)
        let archive = directory.path("archive")
        let archived = try ToolRunner.run("ckptdelta", ["archive", "--quiet", run, archive])
        #expect(archived.status == 1)
        #expect(archived.standardError.hasPrefix("ckptdelta: ckpt-3: not archived, it fails verification"))
        #expect(archived.standardOutput.isEmpty)
        var delta = TestFiles.read(archive + "/ckpt-10.ckptdelta")
        delta[delta.count - 40] ^= 0x01
        TestFiles.write(delta, to: archive + "/ckpt-10.ckptdelta")
        let verified = try ToolRunner.run("ckptdelta", ["verify", archive])
        #expect(verified.status == 1)
        #expect(verified.standardOutput.hasPrefix("ckptdelta: \(archive)/ckpt-10.ckptdelta: does not match the archive manifest"))
        let missing = try ToolRunner.run("ckptdelta", ["verify", directory.path("nothing")])
        #expect(missing.status == 2 && missing.standardError.contains("not an archive"))
    }

    /// An archive run killed at any moment leaves an archive that verifies (at most harmless
    /// leftovers), and the next run completes it.
    @Test func killedArchiveRunIsFinishedByTheNext() throws {
        let directory = TemporaryDirectory()
        let run = Fixtures.path("tf2_keras_adam")
        for delay in [0, 5, 10, 20, 40, 80, 120, 200] {
            let archive = directory.path("archive\(delay)")
            let process = try ToolRunner.start("ckptdelta", ["archive", "--quiet", "--jobs", "1", run, archive])
            usleep(useconds_t(delay * 1000))
            process.kill(SIGKILL)
            _ = process.wait()
            if FileManager.default.fileExists(atPath: archive + "/archive.json") {
                let verified = try ToolRunner.run("ckptdelta", ["verify", archive])
                #expect(verified.status == 0, "after \(delay) ms: \(verified.standardOutput)")
            }
            let finished = try ToolRunner.run("ckptdelta", ["archive", "--quiet", run, archive])
            #expect(finished.status == 0, "after \(delay) ms: \(finished.standardError)")
            let verified = try ToolRunner.run("ckptdelta", ["verify", "--deep", "--scratch", directory.path, archive])
            #expect(
                verified.status == 0 && verified.standardOutput.contains("ok; 6 step(s)"), "after \(delay) ms: \(verified.standardOutput)")
        }
    }
}
