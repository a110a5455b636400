import FixtureSupport
import Foundation
import Testing

/// `ckptverify --show NAME`: one tensor's values after its checksum holds, numpy's way, and
/// `--npy` files numpy reads (checked against TensorFlow in the interoperability suite).
@Suite struct ShowTests {
    @Test func showsATensorByTheNameListingGivesOrItsKey() throws {
        let run = Fixtures.path("tf2_keras_adam/ckpt-40")
        let byName = try ToolRunner.run("ckptverify", ["--show", "sequential/logits/bias", run])
        #expect(byName.status == 0, "\(byName.standardError)")
        #expect(
            byName.standardOutput
                == "sequential/logits/bias (optimizer/_trainable_variables/5/.ATTRIBUTES/VARIABLE_VALUE): float32 [4]\n[-0.01984434  0.00589722  0.00630242  0.01397107]\n"
        )
        let byKey = try ToolRunner.run("ckptverify", ["--show", "optimizer/_trainable_variables/5/.ATTRIBUTES/VARIABLE_VALUE", run])
        #expect(byKey.standardOutput == byName.standardOutput)
        // A directory: its newest checkpoint.
        let latest = try ToolRunner.run("ckptverify", ["--show", "sequential/logits/bias", Fixtures.path("tf2_keras_adam")])
        #expect(latest.standardOutput == byName.standardOutput)
        // Big tensors are summarized as numpy does, in full with --all.
        let kernel = try ToolRunner.run("ckptverify", ["--show", "sequential/hidden/kernel", run])
        #expect(kernel.standardOutput.contains(" ...") && kernel.standardOutput.split(separator: "\n").count == 14)
        let all = try ToolRunner.run("ckptverify", ["--show", "sequential/hidden/kernel", "--all", run])
        #expect(!all.standardOutput.contains("...") && all.standardOutput.split(separator: "\n").count > 100)
        let missing = try ToolRunner.run("ckptverify", ["--show", "no/such/variable", run])
        #expect(missing.status == 2 && missing.standardError.contains("no variable no/such/variable"))
    }

    @Test func aDamagedTensorIsNotShown() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "dtypes")
        let prefix = run + "/zoo"
        let listing = try ToolRunner.json(try ToolRunner.run("ckptverify", ["--list", "--json", prefix]).standardOutput)
        let variables = ((listing["checkpoints"] as? [[String: Any]])?.first?["variables"] as? [[String: Any]]) ?? []
        let float32 = try #require(variables.first { $0["key"] as? String == "float32" })
        var bytes = TestFiles.read(prefix + ".data-00000-of-00001")
        bytes[(float32["offset"] as! Int) + 3] ^= 0x40
        TestFiles.write(bytes, to: prefix + ".data-00000-of-00001")
        let shown = try ToolRunner.run("ckptverify", ["--show", "float32", "--npy", directory.path("x.npy"), prefix])
        #expect(shown.status == 1 && shown.standardOutput.isEmpty, "\(shown.standardOutput)")
        #expect(shown.standardError.contains("checksum") && !FileManager.default.fileExists(atPath: directory.path("x.npy")))
    }

    @Test func npyFilesHaveNumpysHeaderAndAreNewFiles() throws {
        let directory = TemporaryDirectory()
        let file = directory.path("kernel.npy")
        let zoo = Fixtures.path("dtypes/zoo")
        let written = try ToolRunner.run("ckptverify", ["--show", "bfloat16", "--npy", file, zoo])
        #expect(written.status == 0, "\(written.standardError)")
        let bytes = TestFiles.read(file)
        let header = String(decoding: bytes[10..<(10 + Int(bytes[8]) + Int(bytes[9]) << 8)], as: UTF8.self)
        #expect(Array(bytes.prefix(8)) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }") && header.hasSuffix("\n"))
        #expect((10 + header.utf8.count) % 64 == 0 && bytes.count == 10 + header.utf8.count + 15 * 4)
        // Like every output: not over an existing file without --force.
        let again = try ToolRunner.run("ckptverify", ["--show", "bfloat16", "--npy", file, zoo])
        #expect(again.status == 2 && again.standardError.contains("not replaced without --force"))
        let variant = try ToolRunner.run("ckptverify", ["--show", "variant", "--npy", directory.path("v.npy"), zoo])
        #expect(variant.status == 2 && variant.standardError.contains("no numpy equivalent"))
    }
}
