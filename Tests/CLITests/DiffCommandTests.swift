import FixtureSupport
import Foundation
import Testing

@Suite struct DiffCommandTests {
    @Test func identicalCheckpointsExitZero() throws {
        let path = Fixtures.path("tf2_keras_adam/ckpt-10")
        let result = try ToolRunner.run("ckptdiff", [path, path + ".index"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("22 identical variables not listed"))
        #expect(result.standardOutput.contains("0 of 22 variables differ"))
    }

    @Test func consecutiveStepsDiffer() throws {
        let result = try ToolRunner.run(
            "ckptdiff", ["--json", Fixtures.path("sharded_tf1/model.ckpt-1"), Fixtures.path("sharded_tf1/model.ckpt-2")])
        #expect(result.status == 1)
        let document = try ToolRunner.json(result.standardOutput)
        #expect(document["identical"] as! Bool == false)
        let statuses = (document["variables"] as! [[String: Any]]).map { "\($0["name"]!)=\($0["status"]!)" }
        #expect(statuses == ["tower0/w=changed", "tower1/name=identical", "tower1/w=changed"])
    }

    @Test func addedAndRemovedVariables() throws {
        let result = try ToolRunner.run("ckptdiff", ["--json", Fixtures.path("tf1_saver"), Fixtures.path("sharded_tf1")])
        #expect(result.status == 1)
        let document = try ToolRunner.json(result.standardOutput)
        let statuses = Set((document["variables"] as! [[String: Any]]).map { $0["status"] as! String })
        #expect(statuses == ["added", "removed"])
    }

    @Test func tableSortsTopMoversFirstAndCallsOutNaN() throws {
        let result = try ToolRunner.run("ckptdiff", [Fixtures.path("dtypes/zoo"), Fixtures.path("dtypes/zoo_b")])
        #expect(result.status == 1)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let changed = lines.filter { $0.hasPrefix("changed ") }.map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        #expect(changed.prefix(2) == ["int4", "float16"])  // relative changes 2.75 and 2.0
        #expect(lines.contains("!! NaN appeared in B: float32 (1 NaN in B, 0 in A)"))
        #expect(lines.last!.hasPrefix("16 of 39 variables differ; 74 of 211 parameters changed"))
    }

    @Test func jsonCarriesEveryStatisticAndCSVOneRowEach() throws {
        let json = try ToolRunner.run("ckptdiff", ["--json", Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@11")])
        #expect(json.status == 1)
        let document = try ToolRunner.json(json.standardOutput)
        let variables = document["variables"] as! [[String: Any]]
        let kernel = variables.first { ($0["key"] as! String).hasPrefix("optimizer/_trainable_variables/0/") }!
        // Called by the name the object graph gives, the stored key beside it.
        #expect(kernel["name"] as? String == "sequential/hidden/kernel")
        for key in [
            "changed", "changed_fraction", "max_abs_diff", "mean_abs_diff", "rms_diff", "l2_a", "l2_b", "rel_l2", "cosine",
            "nan_a", "nan_b", "inf_a", "inf_b",
        ] {
            #expect(kernel[key] is NSNumber, "\(key)")
        }
        let summary = document["summary"] as! [String: Any]
        // The save counter moves from 4 to 5, but a scalar is not a group moving: Adam's slots
        // (named `adam/…`) moved most, by a change between their variables' least and most.
        #expect(summary["most_moved_group"] as! String == "adam")
        let slots = variables.filter { ($0["name"] as! String).hasPrefix("adam/") && !($0["shape"] as! [Any]).isEmpty }
            .compactMap { $0["rel_l2"] as? Double }
        #expect(slots.count == 12)
        #expect((slots.min()!...slots.max()!).contains(summary["most_moved_group_rel_l2"] as! Double))
        let csv = try ToolRunner.run("ckptdiff", ["--csv", Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@11")])
        let rows = csv.standardOutput.split(separator: "\n")
        #expect(rows.count == 23)
        #expect(rows[0].hasPrefix("name,key,status,dtype,shape,changed,changed_fraction,max_abs_diff"))
        #expect(
            rows.contains { $0.hasPrefix("sequential/hidden/kernel,optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE,changed,") })
    }

    /// Variables by name, filters over names or keys, optimizer state left out or kept alone.
    @Test func namesFiltersAndOptimizerState() throws {
        let a = Fixtures.path("tf2_keras_adam@10")
        let b = Fixtures.path("tf2_keras_adam@11")
        func names(_ arguments: [String]) throws -> [String] {
            let result = try ToolRunner.run("ckptdiff", ["--json", "--all"] + arguments + [a, b])
            return (try ToolRunner.json(result.standardOutput)["variables"] as! [[String: Any]]).map { $0["name"] as! String }
        }
        let all = try names([])
        #expect(all.count == 22 && all.contains("sequential/logits/bias") && all.contains("adam/sequential_logits_bias_velocity"))
        let weights = try names(["--no-optimizer"])
        #expect(weights.sorted() == all.filter { !$0.hasPrefix("adam/") }.sorted())
        let optimizer = try names(["--optimizer-only"])
        #expect(optimizer.count == 14 && optimizer.allSatisfy { $0.hasPrefix("adam/") })
        #expect(try names(["--include", "^sequential/middle/"]) == ["sequential/middle/bias", "sequential/middle/kernel"])
        #expect(
            try names(["--include", "logits", "--exclude", "velocity|momentum"]) == ["sequential/logits/bias", "sequential/logits/kernel"])
        let keyed = try ToolRunner.run("ckptdiff", ["--keys", a, b])
        #expect(keyed.standardOutput.contains("optimizer/_variables/") && !keyed.standardOutput.contains("sequential/hidden/kernel"))
        let both = try ToolRunner.run("ckptdiff", ["--no-optimizer", "--optimizer-only", a, b])
        #expect(both.status == 2)
    }

    /// Per layer, one relative change of its weights and one of its optimizer state, each
    /// ‖b−a‖/‖a‖ over the layer's variables: recomputed here from the per-variable figures.
    @Test func layersAreSummarizedWeightsApartFromOptimizerState() throws {
        let result = try ToolRunner.run("ckptdiff", ["--json", Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@40")])
        let document = try ToolRunner.json(result.standardOutput)
        let variables = document["variables"] as! [[String: Any]]
        let layers = document["layers"] as! [[String: Any]]
        #expect(layers.map { $0["layer"] as! String }.sorted() == ["sequential/hidden", "sequential/logits", "sequential/middle"])
        let weights = layers.map { $0["weights_rel_l2"] as! Double }
        #expect(weights == weights.sorted(by: >))
        for layer in layers {
            let name = layer["layer"] as! String
            func relative(_ members: [[String: Any]]) -> Double {
                let diff = members.reduce(0.0) { sum, v in sum + pow((v["rel_l2"] as! Double) * (v["l2_a"] as! Double), 2) }
                return (diff / members.reduce(0.0) { $0 + pow($1["l2_a"] as! Double, 2) }).squareRoot()
            }
            let own = variables.filter { ($0["name"] as! String).hasPrefix(name + "/") }
            let slots = variables.filter { ($0["name"] as! String).hasPrefix("adam/" + name.replacing("/", with: "_") + "_") }
            #expect(own.count == 2 && slots.count == 4)
            #expect(abs(relative(own) - (layer["weights_rel_l2"] as! Double)) < 1e-9 * relative(own))
            #expect(abs(relative(slots) - (layer["optimizer_rel_l2"] as! Double)) < 1e-9 * relative(slots))
            #expect(layer["parameters"] as! Int == own.reduce(0) { $0 + ($1["shape"] as! [Int]).reduce(1, *) })
        }
        let text = try ToolRunner.run("ckptdiff", [Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@40")])
        #expect(text.standardOutput.contains("layers, most moved first:") && text.standardOutput.contains("OPTIMIZER REL_L2"))
    }

    /// `--html` writes one self-contained page: nothing fetched from elsewhere, a row per
    /// variable, two bars per layer that moved, a histogram of B − A per moved variable, NaN
    /// called out.
    @Test func htmlPageIsSelfContained() throws {
        let directory = TemporaryDirectory()
        let keras = try ToolRunner.run(
            "ckptdiff", ["--html", directory.path("keras.html"), Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@40")])
        #expect(keras.status == 1)
        let page = String(decoding: TestFiles.read(directory.path("keras.html")), as: UTF8.self)
        for external in ["http://", "https://", " src=", "<link", "@import", "url("] {
            #expect(!page.contains(external), "\(external)")
        }
        #expect(page.hasPrefix("<!doctype html>") && page.hasSuffix("</html>\n"))
        #expect(page.components(separatedBy: "<tr").count - 1 == 23)  // the header and 22 variables
        #expect(
            page.components(separatedBy: "<rect class=\"w\"").count - 1 == 3
                && page.components(separatedBy: "<rect class=\"o\"").count - 1 == 3)
        #expect(page.contains(">sequential/middle<") && page.contains(">slot: momentum<"))
        #expect(!page.contains("NaN appeared"))
        // A histogram of B − A for each changed numeric tensor (20 changed, less the step and
        // save counters), every element counted once; slots titled under their variable.
        #expect(page.components(separatedBy: "<figure>").count - 1 == 18)
        #expect(page.contains("<b>sequential/middle/kernel</b><br>2,048 elements"))
        #expect(page.contains("<b>sequential/middle/kernel ↳ velocity</b><br>2,048 elements"))
        #expect(!page.contains("<b>save_counter</b>"))
        // The layers chart sorts most moved first; the summary names that layer.
        let first = page.range(of: "<dt>most moved layer (weights)</dt><dd>sequential/")
        #expect(first != nil)
        _ = try ToolRunner.run(
            "ckptdiff", ["--html", directory.path("zoo.html"), Fixtures.path("dtypes/zoo"), Fixtures.path("dtypes/zoo_b")])
        let zoo = String(decoding: TestFiles.read(directory.path("zoo.html")), as: UTF8.self)
        #expect(zoo.contains("<b>float32</b>: NaN appeared in B (1 in B, 0 in A)"))
        #expect(zoo.contains("<tr class=\"alarm\">"))
        let unsafe = try ToolRunner.run(
            "ckptdiff", ["--html", directory.path("no/such/dir.html"), Fixtures.path("dtypes/zoo"), Fixtures.path("dtypes/zoo_b")])
        #expect(unsafe.status == 2 && unsafe.standardError.contains("no/such/dir.html"))
    }

    @Test func tolerancesDecideTheExitStatus() throws {
        let a = Fixtures.path("tf2_keras_adam@10")
        let b = Fixtures.path("tf2_keras_adam@11")
        #expect(try ToolRunner.run("ckptdiff", ["--atol", "1.5", a, b]).status == 0)
        #expect(try ToolRunner.run("ckptdiff", ["--atol", "1e-6", a, b]).status == 1)
        #expect(
            try ToolRunner.run("ckptdiff", ["--atol", "1.5", "--exclude", "_iterations|save_counter", "--rtol", "0", a, b]).status == 0)
    }

    @Test func troubleExitsTwo() throws {
        let missing = try ToolRunner.run("ckptdiff", [Fixtures.path("tf2_keras_adam@12345"), Fixtures.path("tf2_keras_adam")])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("no checkpoint of step 12345"))
        let regex = try ToolRunner.run("ckptdiff", ["--include", "(", Fixtures.path("dtypes"), Fixtures.path("dtypes")])
        #expect(regex.status == 2)
    }
}
