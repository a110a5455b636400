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
        let changed = lines.filter { $0.hasPrefix("changed ") }.map { $0.split(separator: " ", omittingEmptySubsequences: true)[2] }
        #expect(changed.prefix(2) == ["int4", "float16"])  // relative changes 2.75 and 2.0
        // NaN and Inf are called out for every floating-point dtype.
        #expect(lines.contains("!! NaN appeared in B: float32 (1 NaN in B, 0 in A)"))
        #expect(lines.contains("!! Inf appeared in B: float64 (1 ±Inf in B, 0 in A)"))
        // The weights' figure leaves integer tensors out: int64's 2^62 would swamp every float.
        let summary = try #require(lines.last)
        #expect(summary.hasPrefix("16 of 39 variables differ; weights: "), "\(summary)")
        #expect(!summary.contains("e-18") && summary.contains("most moved weight: float16 (2.00)"), "\(summary)")
        #expect(lines.contains { $0.contains(" float32 ") && $0.contains("2 of 3") })  // rows of a 2-D tensor that changed
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
        #expect(kernel["role"] as? String == "weight" && kernel["layer"] as? String == "sequential/hidden")
        #expect(kernel["rows"] as? Int == 16 && kernel["changed_rows"] as? Int == 16)
        let summary = document["summary"] as! [String: Any]
        // The most moved group is the layer whose weights moved most, not Adam's slots.
        let layers = document["layers"] as! [[String: Any]]
        #expect(summary["most_moved_group"] as? String == layers[0]["layer"] as? String)
        #expect(summary["most_moved_group_rel_l2"] as? Double == layers[0]["weights_rel_l2"] as? Double)
        #expect(document["within_tolerance"] as? Bool == false && document["tolerance"] is NSNull)
        let csv = try ToolRunner.run("ckptdiff", ["--csv", Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@11")])
        let rows = csv.standardOutput.split(separator: "\n")
        #expect(rows.count == 23)
        #expect(rows[0].hasPrefix("name,key,role,layer,status,dtype,shape,rows,changed_rows,changed,changed_fraction,max_abs_diff"))
        #expect(
            rows.contains {
                $0.hasPrefix(
                    "sequential/hidden/kernel,optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE,weight,sequential/hidden,changed,float32,"
                )
            })
    }

    /// The headline figure is numpy's relative L2 over the model's floating-point weights, and
    /// the optimizer state's figure numpy's over its slots and learning rate.
    @Test(arguments: ExpectedDiff.fixtures.filter { $0.weightsRelativeChange != nil })
    func headlineFiguresEqualNumpys(_ expected: ExpectedDiff) throws {
        let result = try ToolRunner.run("ckptdiff", ["--json", Fixtures.path(expected.a), Fixtures.path(expected.b)])
        let summary = try ToolRunner.json(result.standardOutput)["summary"] as! [String: Any]
        #expect(ExpectedDiff.agree(summary["global_rel_l2"] as? Double, expected.weightsRelativeChange))
        #expect(ExpectedDiff.agree(summary["optimizer_rel_l2"] as? Double, expected.optimizerRelativeChange))
        let text = try ToolRunner.run("ckptdiff", [Fixtures.path(expected.a), Fixtures.path(expected.b)])
        // The summary line prints it to three significant digits.
        let printed = try #require(text.standardOutput.firstMatch(of: /elements changed, relative change ([0-9.e+-]+); optimizer state/))
        let figure = try #require(Double(printed.1))
        #expect(abs(figure - expected.weightsRelativeChange!) <= 0.005 * expected.weightsRelativeChange!, "\(figure)")
    }

    /// Two variables TensorFlow named alike (`Variable`) are two variables, called by their keys.
    @Test func variablesNamedAlikeAreNotMerged() throws {
        let result = try ToolRunner.run("ckptdiff", ["--json", "--all", Fixtures.path("unnamed@1"), Fixtures.path("unnamed@2")])
        let variables = try ToolRunner.json(result.standardOutput)["variables"] as! [[String: Any]]
        let statuses = Dictionary(uniqueKeysWithValues: variables.map { ($0["name"] as! String, $0["status"] as! String) })
        #expect(statuses["first/.ATTRIBUTES/VARIABLE_VALUE"] == "changed" && statuses["second/.ATTRIBUTES/VARIABLE_VALUE"] == "identical")
        #expect(variables.count == 4)
    }

    /// A training checkpoint against its own SavedModel export: variables paired by name, the
    /// weights identical (each listed once, though the export reaches each by two paths), the
    /// optimizer state the export does not hold removed.
    @Test func checkpointAgainstItsExportPairsByName() throws {
        let result = try ToolRunner.run(
            "ckptdiff", ["--json", "--all", Fixtures.path("layouts/train/ckpt-9"), Fixtures.path("layouts/models/mlp/2")])
        #expect(result.status == 1)
        let document = try ToolRunner.json(result.standardOutput)
        let variables = document["variables"] as! [[String: Any]]
        let weights = variables.filter { $0["role"] as? String == "weight" }
        #expect(weights.map { $0["name"] as! String } == ["mlp/hidden/bias", "mlp/hidden/kernel", "mlp/logits/bias", "mlp/logits/kernel"])
        #expect(weights.allSatisfy { $0["status"] as? String == "identical" && $0["l2_a"] as! Double > 0 })
        #expect(Set(variables.map { $0["name"] as! String }).count == variables.count)
        #expect(variables.filter { $0["role"] as? String == "optimizer" }.allSatisfy { $0["status"] as? String == "removed" })
        let summary = document["summary"] as! [String: Any]
        #expect(summary["global_rel_l2"] as? Double == 0 && summary["most_moved_group"] is NSNull)
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
        // A CI gate filtering on a misspelled name must not pass: a pattern matching nothing is trouble.
        for option in ["--include", "--exclude"] {
            let misspelled = try ToolRunner.run("ckptdiff", [option, "sequental/", a, a])
            #expect(misspelled.status == 2 && misspelled.standardError.contains("sequental/"), "\(misspelled.standardError)")
        }
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
        #expect(page.contains(">sequential/middle<"))
        #expect(!page.contains("NaN appeared"))
        // The table lists the six weights first, then the optimizer state, then bookkeeping.
        let roles = page.matches(of: /<tr><td>[^<]*<\/td><td>[^<]*<\/td><td>([a-z]+)<\/td>/).map { String($0.1) }
        #expect(roles == Array(repeating: "weight", count: 6) + Array(repeating: "optimizer", count: 14) + ["bookkeeping", "bookkeeping"])
        // Weights and optimizer state each on a labelled scale of its own.
        #expect(page.contains("class=\"legend w\">weights</text>") && page.contains("class=\"legend o\">optimizer state</text>"))
        #expect(page.components(separatedBy: "class=\"tick\"").count - 1 == 6)
        // A histogram of B − A for each changed numeric tensor (20 changed, less the step and
        // save counters), every element counted once, with an axis of counts; each tensor
        // called by one name.
        #expect(page.components(separatedBy: "<figure>").count - 1 == 18)
        #expect(page.contains("<b>sequential/middle/kernel</b><br>2,048 elements"))
        #expect(page.contains("<b>adam/sequential_middle_kernel_velocity</b><br>2,048 elements"))
        #expect(page.components(separatedBy: "elements per bin").count - 1 == 18)
        #expect(!page.contains("<b>save_counter</b>"))
        // The summary gives the weights' figure and the optimizer state's, and names the layer
        // whose weights moved most.
        let json = try ToolRunner.json(
            try ToolRunner.run("ckptdiff", ["--json", Fixtures.path("tf2_keras_adam@10"), Fixtures.path("tf2_keras_adam@40")])
                .standardOutput)
        let summary = json["summary"] as! [String: Any]
        #expect(
            page.contains("<dt>weights: relative change ‖B−A‖/‖A‖</dt><dd>0.")
                && page.contains("<dt>optimizer state: relative change</dt><dd>"))
        #expect(page.contains("<dt>most moved layer (weights)</dt><dd>\(summary["most_moved_group"] as! String) ("))
        _ = try ToolRunner.run(
            "ckptdiff", ["--html", directory.path("zoo.html"), Fixtures.path("dtypes/zoo"), Fixtures.path("dtypes/zoo_b")])
        let zoo = String(decoding: TestFiles.read(directory.path("zoo.html")), as: UTF8.self)
        #expect(zoo.contains("<b>float32</b>: NaN appeared in B (1 NaN in B, 0 in A)"))
        #expect(zoo.contains("<b>float64</b>: Inf appeared in B (1 ±Inf in B, 0 in A)"))
        #expect(zoo.contains("<tr class=\"alarm\">"))
        // A 2-D tensor changed in some rows only gets a strip of which.
        #expect(zoo.contains("<b>float32</b>: 2 of 3 rows changed</figcaption>"))
        #expect(zoo.components(separatedBy: "class=\"changed\"").count - 1 == 2)
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
