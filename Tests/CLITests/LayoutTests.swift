import FixtureSupport
import Foundation
import Testing

/// The layouts TensorFlow users point the tools at, all written by TensorFlow 2.21
/// (`Fixtures/generate.py layouts`): SavedModel exports, a TF Serving model base path, a
/// checkpoint without a step number, and files that are not TensorFlow checkpoints.
@Suite struct LayoutTests {
    static let layouts = Fixtures.path("layouts")

    @Test func aSavedModelIsVerifiedAsAWhole() throws {
        let export = Self.layouts + "/models/mlp/1"
        let result = try ToolRunner.run("ckptverify", ["--json", export])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try ToolRunner.json(result.standardOutput)
        let directory = try #require((document["directories"] as? [[String: Any]])?.first)
        #expect(directory["kind"] as? String == "saved_model" && directory["path"] as? String == export)
        let codes = (directory["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes == ["savedmodel.fingerprint_ok"])
        let checkpoints = try #require(document["checkpoints"] as? [[String: Any]])
        #expect(checkpoints.map { $0["prefix"] as? String } == [export + "/variables/variables"])
        // No "no checkpoint file" warning: a SavedModel has none, and needs none.
        #expect(!result.standardOutput.contains("state.absent"))
    }

    @Test func aSavedModelWithAnotherExportsVariablesIsCaughtByItsFingerprint() throws {
        let directory = TemporaryDirectory()
        let swapped = directory.path("swapped")
        try FileManager.default.copyItem(atPath: Self.layouts + "/models/mlp/1", toPath: swapped)
        try FileManager.default.removeItem(atPath: swapped + "/variables")
        try FileManager.default.copyItem(atPath: Self.layouts + "/models/mlp/2/variables", toPath: swapped + "/variables")
        let result = try ToolRunner.run("ckptverify", [swapped])
        #expect(result.status == 1, "\(result.standardOutput)")
        let line = try #require(result.standardOutput.split(separator: "\n").first { $0.contains("checkpoint_hash") })
        #expect(line.contains(swapped + "/fingerprint.pb") && line.contains(swapped + "/variables/variables.index"), "\(line)")
        // Each bundle on its own is intact: only the fingerprint knows they do not belong together.
        #expect(result.standardOutput.contains(swapped + "/variables/variables: ok"))
    }

    @Test func aFlippedByteInASavedModelsVariablesIsFound() throws {
        let directory = TemporaryDirectory()
        let export = directory.path("export")
        try FileManager.default.copyItem(atPath: Self.layouts + "/models/mlp/2", toPath: export)
        let data = export + "/variables/variables.data-00000-of-00001"
        var bytes = TestFiles.read(data)
        bytes[100] ^= 0x04
        TestFiles.write(bytes, to: data)
        let result = try ToolRunner.run("ckptverify", [export])
        #expect(result.status == 1 && result.standardOutput.contains("checksum does not match"), "\(result.standardOutput)")
        // A graph that is not a SavedModel message, and a missing one.
        TestFiles.write(Array(TestFiles.read(export + "/saved_model.pb").prefix(1000)), to: export + "/saved_model.pb")
        let truncated = try ToolRunner.run("ckptverify", ["--json", export])
        #expect(truncated.standardOutput.contains("savedmodel.bad_graph"), "\(truncated.standardOutput)")
        try FileManager.default.removeItem(atPath: export + "/saved_model.pb")
        let missing = try ToolRunner.run("ckptverify", ["--json", export])
        #expect(missing.standardOutput.contains("savedmodel.no_graph"))
    }

    @Test func theOtherToolsTakeASavedModelWhereverTheyTakeACheckpoint() throws {
        let directory = TemporaryDirectory()
        let (one, two) = (Self.layouts + "/models/mlp/1", Self.layouts + "/models/mlp/2")
        let listed = try ToolRunner.run("ckptverify", ["--list", one])
        #expect(listed.status == 0 && listed.standardOutput.contains("mlp/hidden/kernel"), "\(listed.standardError)")
        // Each weight listed once, though the export stores it under two keys.
        #expect(listed.standardOutput.contains(": 5 variables, 132 parameters, "))
        #expect(listed.standardOutput.contains("; 4 byte-identical copies under other keys not listed (--keys lists every key)"))
        #expect(listed.standardOutput.components(separatedBy: "mlp/hidden/kernel").count == 2)
        let json = try ToolRunner.json(try ToolRunner.run("ckptverify", ["--list", "--json", two]).standardOutput)
        let variables = (json["checkpoints"] as! [[String: Any]])[0]["variables"] as! [[String: Any]]
        #expect(variables.count == 5 && variables.filter { ($0["also_stored_as"] as? [String])?.count == 1 }.count == 4)
        let diffed = try ToolRunner.run("ckptdiff", [one, two])
        #expect(diffed.status == 1, "\(diffed.standardError)")
        let delta = directory.path("d.ckptdelta")
        #expect(try ToolRunner.run("ckptdelta", ["create", one, two, "-o", delta]).status == 0)
        let applied = try ToolRunner.run("ckptdelta", ["apply", one, delta, "-o", directory.path("out")])
        #expect(applied.status == 0, "\(applied.standardError)")
        #expect(try TestFiles.checkpoint(directory.path("out/variables")) == TestFiles.checkpoint(two + "/variables/variables"))
    }

    @Test func aServingModelBasePathIsVerifiedVersionByVersionAndNotArchived() throws {
        let base = Self.layouts + "/models/mlp"
        let verified = try ToolRunner.run("ckptverify", ["--json", base])
        #expect(verified.status == 0)
        let document = try ToolRunner.json(verified.standardOutput)
        #expect(
            (document["checkpoints"] as? [[String: Any]])?.map { $0["prefix"] as? String } == [
                base + "/1/variables/variables", base + "/2/variables/variables",
            ])
        #expect((document["directories"] as? [[String: Any]])?.map { $0["path"] as? String } == [base + "/1", base + "/2"])
        let latest = try ToolRunner.run("ckptverify", ["--latest", "--quiet", base])
        #expect(latest.status == 0)
        let directory = TemporaryDirectory()
        for path in [base, base + "/1"] {
            let archived = try ToolRunner.run("ckptdelta", ["archive", path, directory.path("archive")])
            #expect(archived.status == 2 && archived.standardError.split(separator: "\n").count == 1, "\(archived.standardError)")
            #expect(archived.standardError.contains("SavedModel") && !archived.standardOutput.contains("0 step(s) added"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("archive")))
    }

    @Test func filesThatAreNotCheckpointsAreNamedForWhatTheyAre() throws {
        let keras = Self.layouts + "/keras"
        let expected = [
            "mlp.weights.h5": "Keras weights in HDF5", "mlp.h5": "an HDF5 file", "mlp.keras": "a Keras model archive",
            "mlp.safetensors": "a safetensors file",
        ]
        for (name, what) in expected {
            for (tool, arguments) in [
                ("ckptverify", [keras + "/" + name]), ("ckptdiff", [keras + "/" + name, Self.layouts + "/train"]),
                ("ckptverify", ["--list", keras + "/" + name]),
            ] {
                let result = try ToolRunner.run(tool, arguments)
                #expect(result.status == 2 && result.standardError.contains(what), "\(tool) \(name): \(result.standardError)")
                #expect(result.standardError.contains("these tools read TensorFlow checkpoints"))
            }
        }
        // A PyTorch zip (torch.save's layout) and a lone saved_model.pb.
        let directory = TemporaryDirectory()
        var zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 26) + Array("archive/data.pkl".utf8)
        zip += [UInt8](repeating: 0, count: 64)
        TestFiles.write(zip, to: directory.path("model.pt"))
        try FileManager.default.createDirectory(atPath: directory.path("graph"), withIntermediateDirectories: false)
        try FileManager.default.copyItem(
            atPath: Self.layouts + "/models/mlp/1/saved_model.pb", toPath: directory.path("graph/saved_model.pb"))
        for (path, what) in [
            (directory.path("model.pt"), "a PyTorch file"), (directory.path("graph/saved_model.pb"), "a SavedModel graph"),
        ] {
            let result = try ToolRunner.run("ckptverify", [path])
            #expect(result.status == 2 && result.standardError.contains(what), "\(result.standardError)")
        }
        // A directory without checkpoints says what it holds.
        let empty = try ToolRunner.run("ckptverify", [keras])
        #expect(empty.status == 2 && empty.standardError.contains("no checkpoint in this directory"))
        #expect(empty.standardError.contains("mlp.keras: a Keras model archive"), "\(empty.standardError)")
    }

    @Test func archivingSaysWhatItWouldDoAndWhatItLeavesOut() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        // Nothing to archive is trouble, with what the directory holds.
        let nothing = try ToolRunner.run("ckptdelta", ["archive", Self.layouts + "/keras", archive])
        #expect(nothing.status == 2 && nothing.standardError.contains("nothing to archive"), "\(nothing.standardError)")
        #expect(nothing.standardError.contains("mlp.weights.h5: Keras weights"))
        // A checkpoint without a step number is named, with the step its training state records.
        let nostep = try ToolRunner.run("ckptdelta", ["archive", Self.layouts + "/nostep", archive])
        #expect(nostep.status == 1, "\(nostep.standardError)")
        #expect(nostep.standardError.contains("model: not archived, its name carries no step number"))
        #expect(nostep.standardError.contains("its training state says step 9"), "\(nostep.standardError)")
        // A dry run writes nothing and says how each step would be stored.
        let fresh = directory.path("fresh")
        let planned = try ToolRunner.run("ckptdelta", ["archive", "--dry-run", Fixtures.path("tf2_keras_adam"), fresh])
        #expect(planned.status == 0, "\(planned.standardError)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        let lines = planned.standardOutput.split(separator: "\n")
        #expect(lines.first == "ckpt-1: would be added as a keyframe")
        #expect(lines.contains("ckpt-11: would be added as a delta against step 10, depth 4 (a keyframe instead if that is smaller)"))
        let archived = try ToolRunner.run("ckptdelta", ["archive", "--quiet", Fixtures.path("tf2_keras_adam"), fresh])
        #expect(archived.status == 0)
        let listing = try ToolRunner.json(try ToolRunner.run("ckptdelta", ["ls", "--json", fresh]).standardOutput)
        let steps = (listing["steps"] as? [[String: Any]] ?? []).map { "\($0["step"]!)@\($0["depth"]!)" }
        #expect(steps == ["1@0", "2@1", "3@2", "10@3", "11@4", "40@5"])
        let again = try ToolRunner.run("ckptdelta", ["archive", "--dry-run", Fixtures.path("tf2_keras_adam"), fresh])
        #expect(again.standardOutput.contains("0 step(s) would be added"))
    }

    /// A legacy V1 checkpoint: verified (tables, every tensor decoded), listed, compared with
    /// its V2 twin, refused by the delta tools with a line saying so.
    @Test func aLegacyV1CheckpointIsReadWhereverItCanBe() throws {
        let (v1, v2) = (Self.layouts + "/v1/model.ckpt-7", Self.layouts + "/v2/model.ckpt-7")
        let verified = try ToolRunner.run("ckptverify", [v1])
        #expect(verified.status == 0 && verified.standardOutput.contains(v1 + ": ok; 6 tensors"), "\(verified.standardOutput)")
        let directory = try ToolRunner.run("ckptverify", ["--json", Self.layouts + "/v1"])
        #expect(directory.status == 0 && !directory.standardOutput.contains("state.missing_checkpoint"), "\(directory.standardOutput)")
        let listed = try ToolRunner.run("ckptverify", ["--list", v1])
        #expect(listed.status == 0 && listed.standardOutput.contains("dense/kernel") && listed.standardOutput.contains("vocab"))
        let same = try ToolRunner.run("ckptdiff", [v1, v2])
        #expect(same.status == 0 && same.standardOutput.contains("0 of 6 variables differ"), "\(same.standardOutput)\(same.standardError)")
        let refused = try ToolRunner.run("ckptdelta", ["create", v1, v2, "-o", TemporaryDirectory().path("d")])
        #expect(refused.status == 2 && refused.standardError.contains("a legacy V1 checkpoint"), "\(refused.standardError)")
        // A flipped byte in a block is caught by the block's checksum.
        let scratch = TemporaryDirectory()
        var bytes = TestFiles.read(v1)
        bytes[40] ^= 0x01
        TestFiles.write(bytes, to: scratch.path("model.ckpt-7"))
        let damaged = try ToolRunner.run("ckptverify", ["--json", scratch.path("model.ckpt-7")])
        #expect(damaged.status == 1 && damaged.standardOutput.contains("block.checksum_mismatch"), "\(damaged.standardOutput)")
    }
}
