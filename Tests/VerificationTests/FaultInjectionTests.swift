import FixtureSupport
import Foundation
import MappedIO
import SSTable
import TensorBundle
import Testing
import Verification

/// Damage done to checkpoints written by real TensorFlow, and the exact finding for each.
@Suite struct FaultInjectionTests {
    @Test(arguments: Fixtures.allCheckpoints)
    func cleanFixturesHaveNoErrors(_ checkpoint: Fixtures.Checkpoint) {
        let report = Verifier().verify(prefix: Fixtures.path(checkpoint.prefix))
        #expect(report.ok, "\(report.findings)")
        #expect(report.tensors.count == checkpoint.variables.count)
        #expect(report.findings.isEmpty, "\(report.findings)")
    }

    @Test func aBitFlipInDataNamesTheTensor() throws {
        let faults = FaultInjection()
        let prefix = faults.copy("dtypes") + "/zoo"
        for name in ["float64", "string", "bfloat16", "variant", "héllo/wört/名前"] {
            let entry = try TensorBundleProbe.entry(prefix: prefix, name: name)
            let data = prefix + ".data-00000-of-00001"
            let original = TestFiles.read(data)
            FaultInjection.flip(data, at: Int(entry.offset + entry.size - 1), mask: 0x20)
            let errors = FaultInjection.errors(prefix)
            #expect(errors.count == 1 && errors[0].tensor == name && errors[0].code.hasPrefix("data."), "\(name): \(errors)")
            TestFiles.write(original, to: data)
        }
    }

    @Test func aBitFlipInASliceNamesTheVariableAndSlice() throws {
        let faults = FaultInjection()
        let prefix = faults.copy("partitioned") + "/tf1-partitioned"
        let bundle = try CheckpointBundle(prefix: prefix)
        let slice = try #require(bundle.records.first { $0.key.first == 0 })
        let entry = try slice.entry.get()
        FaultInjection.flip(prefix + ".data-00000-of-00001", at: Int(entry.offset))
        let decoded = try #require(SliceKey.decode(slice.key))
        #expect(FaultInjection.errors(prefix) == [Pair("data.checksum_mismatch", "embedding (slice \(decoded.slice))")])
        let report = Verifier().verify(prefix: prefix)
        #expect(report.tensors.filter { $0.error != nil }.map(\.summary.name) == ["embedding"])
    }

    /// A flip inside each block of the index (data, metaindex, index) and in the footer.
    @Test func bitFlipsInEveryIndexBlockAndTheFooter() throws {
        let faults = FaultInjection()
        let prefix = faults.copy("tf2_keras_adam") + "/ckpt-3"
        let index = prefix + ".index"
        let clean = TestFiles.read(index)
        let table = clean.withUnsafeBytes { Table.read($0) }
        for block in table.blocks {
            FaultInjection.flip(index, at: block.handle.offset + block.handle.size / 2)
            let errors = FaultInjection.errors(prefix)
            #expect(errors.contains(Pair("block.checksum_mismatch")), "\(block.name): \(errors)")
            TestFiles.write(clean, to: index)
        }
        FaultInjection.flip(index, at: clean.count - 1)
        #expect(FaultInjection.errors(prefix) == [Pair("table.bad_magic")])
        TestFiles.write(clean, to: index)
        FaultInjection.flip(index, at: clean.count - 48 + 1, mask: 0x40)  // the metaindex handle
        #expect(!FaultInjection.errors(prefix).isEmpty)
    }

    @Test func truncatedDataReportsEveryTensorPastTheEnd() throws {
        let faults = FaultInjection()
        let prefix = faults.copy("tf2_keras_adam") + "/ckpt-40"
        let data = prefix + ".data-00000-of-00001"
        let length = TestFiles.read(data).count / 2
        FaultInjection.truncate(data, to: length)
        let bundle = try CheckpointBundle(prefix: prefix)
        let cut = Set(bundle.summaries.filter { $0.offset! + $0.size > Int64(length) }.map(\.name))
        let errors = FaultInjection.errors(prefix)
        #expect(Set(errors.map(\.code)) == ["entry.past_eof"])
        #expect(Set(errors.compactMap(\.tensor)) == cut)
        #expect(!cut.isEmpty)
    }

    @Test func truncatedIndex() {
        let faults = FaultInjection()
        let prefix = faults.copy("tf2_keras_adam") + "/ckpt-40"
        FaultInjection.truncate(prefix + ".index", to: 1000)
        #expect(FaultInjection.errors(prefix) == [Pair("table.bad_magic")])
        FaultInjection.truncate(prefix + ".index", to: 30)
        #expect(FaultInjection.errors(prefix) == [Pair("table.too_short")])
        try? FileManager.default.removeItem(atPath: prefix + ".index")
        #expect(FaultInjection.errors(prefix) == [Pair("index.unreadable")])
    }

    @Test func missingShardAndShardFromAnotherSave() throws {
        let faults = FaultInjection()
        let folder = faults.copy("sharded_tf1")
        let prefix = folder + "/model.ckpt-2"
        let shard1 = prefix + ".data-00001-of-00002"
        let inShard1 = Set(try CheckpointBundle(prefix: prefix).summaries.filter { $0.shard == 1 }.map(\.name))
        try FileManager.default.copyItem(atPath: folder + "/model.ckpt-1.data-00001-of-00002", toPath: shard1 + ".other")
        try FileManager.default.removeItem(atPath: shard1)
        let missing = FaultInjection.errors(prefix)
        #expect(Set(missing.map(\.code)) == ["shard.missing"])
        #expect(Set(missing.compactMap(\.tensor)) == inShard1)
        try FileManager.default.moveItem(atPath: shard1 + ".other", toPath: shard1)
        // Step 1's shard in step 2's place: the variable that changed fails, the unchanged string does not.
        #expect(FaultInjection.errors(prefix) == [Pair("data.checksum_mismatch", "tower1/w")])
    }

    @Test func indexAndDataFromDifferentStepsAreDiagnosed() throws {
        let faults = FaultInjection()
        let folder = faults.copy("tf2_keras_adam")
        let data = folder + "/ckpt-11.data-00000-of-00001"
        try FileManager.default.removeItem(atPath: data)
        try FileManager.default.copyItem(atPath: folder + "/ckpt-10.data-00000-of-00001", toPath: data)
        let report = Verifier().verify(prefix: folder + "/ckpt-11")
        let diagnosis = try #require(report.findings.first { $0.code == "diagnosis.mixed_saves" })
        #expect(diagnosis.message.contains("come from different saves"))
        #expect(diagnosis.message.contains("the data files match the index of ckpt-10 (step 10)"))
        #expect(report.findings.filter { $0.code == "data.checksum_mismatch" }.count >= 15)
    }

    @Test func brokenStateFile() throws {
        let faults = FaultInjection()
        let folder = faults.copy("tf2_keras_adam")
        TestFiles.write(
            Array("model_checkpoint_path: \"ckpt-40\"\nall_model_checkpoint_paths \"ckpt-3\"\n".utf8), to: folder + "/checkpoint")
        let report = Verifier().verify(directory: folder)
        #expect(report.findings.map(\.code) == ["state.unparseable"])
        #expect(report.findings[0].message.hasPrefix("line 2, column 28: expected ':'"))
        TestFiles.write(
            Array(
                "model_checkpoint_path: \"ckpt-99\"\nall_model_checkpoint_paths: \"ckpt-3\"\nall_model_checkpoint_paths: \"ckpt-99\"\n".utf8
            ), to: folder + "/checkpoint")
        #expect(Verifier().verify(directory: folder).findings.map(\.code) == ["state.missing_checkpoint"])
        TestFiles.write(Array("all_model_checkpoint_paths: \"ckpt-3\"\n".utf8), to: folder + "/checkpoint")
        #expect(Verifier().verify(directory: folder).findings.map(\.code) == ["state.no_latest"])
    }

    @Test func movedDirectoryAndDebris() throws {
        let faults = FaultInjection()
        let folder = faults.copy("tf1_saver")
        try FileManager.default.createDirectory(atPath: folder + "/model.ckpt-60_temp", withIntermediateDirectories: false)
        TestFiles.write([1, 2, 3], to: folder + "/model.ckpt-60.data-00000-of-00001.tempstate123")
        let codes = Verifier().verify(directory: folder).findings.map(\.code)
        #expect(codes.sorted() == ["debris.temp_dir", "debris.tempstate", "state.relocated", "state.relocated", "state.relocated"])
    }
}
