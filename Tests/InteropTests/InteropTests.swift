import Archive
import Delta
import FixtureSupport
import Foundation
import MappedIO
import TensorBundle
import Testing

/// Interoperability with real TensorFlow on fresh checkpoints: what TensorFlow writes we read
/// identically (and rewrite byte for byte); what we write TensorFlow reads identically.
@Suite(
    .serialized,
    .enabled(
        if: TensorFlowPython.named,
        "needs CKPT_TF_PYTHON, a Python with tensorflow-cpu, xxhash and safetensors; scripts/test creates one under .build/tf-venv")
) struct InteropTests {
    @Test func freshTensorFlowCheckpointsReadAndRewriteIdentically() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path])
        let manifest = Fixtures.loadManifest(root: directory.path)
        let checkpoints = manifest.values.flatMap { $0 }
        #expect(checkpoints.count >= 14)
        for checkpoint in checkpoints {
            let bundle = try CheckpointBundle(prefix: directory.path(checkpoint.prefix))
            #expect(bundle.tableFindings.isEmpty, "\(checkpoint.prefix)")
            #expect(try BundleComparison.view(bundle) == checkpoint.variables, "\(checkpoint.prefix)")
            let copy = directory.path("rewritten-\(checkpoint.prefix.replacingOccurrences(of: "/", with: "_"))")
            try BundleComparison.rewrite(bundle, to: copy)
            let shards = bundle.header!.numShards
            for (ours, theirs) in zip(
                BundleComparison.files(prefix: copy, shardCount: shards),
                BundleComparison.files(prefix: bundle.prefix, shardCount: shards)
            ) {
                #expect(TestFiles.read(ours) == TestFiles.read(theirs), "\(theirs)")
            }
        }
    }

    /// `ckptdiff --json` on fresh TensorFlow checkpoints against numpy's statistics of what
    /// TensorFlow's reader returns (`generate.py` writes them to `diffs.json`).
    @Test func diffStatisticsMatchNumpy() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path])
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path("diffs.json")))
        let pairs = (try JSONSerialization.jsonObject(with: data) as! [[String: Any]]).map(ExpectedDiff.init(json:))
        #expect(pairs.count >= 6)
        for expected in pairs {
            let result = try ToolRunner.run("ckptdiff", ["--json", "--keys", directory.path(expected.a), directory.path(expected.b)])
            #expect(result.status == 1, "\(expected.a) → \(expected.b): \(result.standardError)")
            let variables = try ToolRunner.json(result.standardOutput)["variables"] as! [[String: Any]]
            #expect(variables.map { $0["name"] as! String } == expected.variables.map(\.name))
            for (ours, theirs) in zip(variables, expected.variables) {
                guard let status = theirs.status else { continue }
                #expect(ours["status"] as? String == status, "\(theirs.name)")
                for (statistic, value) in theirs.statistics {
                    let mine = (ours[statistic] as? NSNumber)?.doubleValue
                    #expect(
                        ExpectedDiff.agree(mine, value),
                        "\(expected.a) \(theirs.name).\(statistic): ours \(String(describing: mine)), numpy \(String(describing: value))")
                }
            }
        }
    }

    /// Fresh TensorFlow checkpoints stored as deltas (consecutive Adam steps, a multi-shard
    /// pair, one without a base) and rehydrated: TensorFlow loads the rebuilt files and returns
    /// exactly what it returns for the originals.
    @Test func rehydratedCheckpointsLoadInTensorFlow() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path, "tf2_keras_adam", "sharded_tf1"])
        let pairs: [(String?, String)] = [
            ("tf2_keras_adam/ckpt-10", "tf2_keras_adam/ckpt-11"), ("sharded_tf1/model.ckpt-1", "sharded_tf1/model.ckpt-2"),
            (nil, "tf2_keras_adam/ckpt-40"),
        ]
        var rebuilt: [String] = []
        var originals: [String] = []
        for (index, (base, target)) in pairs.enumerated() {
            let delta = directory.path("d\(index).delta")
            try DeltaCreator().create(base: base.map(directory.path), target: directory.path(target), output: delta)
            let out = directory.path("out\(index)")
            try DeltaApplier().apply(delta: delta, base: base.map(directory.path), into: out)
            rebuilt.append(out + "/" + (target as NSString).lastPathComponent)
            originals.append(directory.path(target))
        }
        let fromRebuilt = try TensorFlowPython.describe(rebuilt)
        let fromOriginals = try TensorFlowPython.describe(originals)
        #expect(fromRebuilt.map(\.variables) == fromOriginals.map(\.variables))
        #expect(fromRebuilt.allSatisfy { !$0.variables.isEmpty })
    }

    /// Fresh runs of every optimizer (`generate.py optimizers`): each run's consecutive and
    /// distant steps stored as deltas and rehydrated. The consecutive deltas are predicted from
    /// the update rules of the TensorFlow at hand, and TensorFlow loads every rebuilt checkpoint
    /// and returns exactly what it returns for the original.
    @Test func optimizerStepsRehydrateForTensorFlow() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path, "optimizers"])
        let runs = try FileSystem.contents(ofDirectory: directory.path("optimizers")).sorted()
        #expect(runs.count >= 17)
        var rebuilt: [String] = []
        var originals: [String] = []
        for run in runs {
            let folder = directory.path("optimizers/" + run)
            let steps = try FileSystem.contents(ofDirectory: folder).filter { $0.hasSuffix(".index") }.map { String($0.dropLast(6)) }
                .sorted { Int($0.split(separator: "-").last!)! < Int($1.split(separator: "-").last!)! }
            for target in steps.dropFirst() {
                let delta = directory.path("\(run)-\(target).delta")
                let manifest = try DeltaCreator().create(
                    base: folder + "/" + steps[0], target: folder + "/" + target, output: delta)
                if target == steps[1] {
                    #expect(manifest.files.flatMap(\.runs).contains { if case .predicted = $0 { true } else { false } }, "\(run)")
                }
                let out = directory.path("out/\(run)")
                try DeltaApplier().apply(delta: delta, base: folder + "/" + steps[0], into: out)
                rebuilt.append(out + "/" + target)
                originals.append(folder + "/" + target)
            }
        }
        let fromRebuilt = try TensorFlowPython.describe(rebuilt)
        #expect(fromRebuilt.map(\.variables) == (try TensorFlowPython.describe(originals)).map(\.variables))
        #expect(fromRebuilt.allSatisfy { !$0.variables.isEmpty })
    }

    /// A fresh TensorFlow training run archived, then some of its steps
    /// restored: TensorFlow finds each restored step through the `checkpoint` state file
    /// (`tf.train.load_checkpoint(DIR)` resolves the directory with `latest_checkpoint`) and
    /// returns exactly what it returns for the original.
    @Test func restoredArchiveStepsAreWhatTensorFlowResumesFrom() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path, "tf2_keras_adam"])
        let run = directory.path("tf2_keras_adam")
        let archive = directory.path("archive")
        let early = try TrainingRun(path: run).checkpoints.prefix(3).map(\.step)
        let first = try Archiver().archive(run: run, into: archive)
        #expect(first.added.count == 6 && first.skipped.isEmpty)
        var restored: [String] = []
        var originals: [String] = []
        for step in [early[0], early[2], nil] {
            let out = directory.path("restored-\(step.map(String.init) ?? "latest")")
            let entry = try Restorer().restore(archive: archive, step: step, into: out).entry
            restored.append(out)
            originals.append(run + "/" + entry.checkpoint)
        }
        let fromRestored = try TensorFlowPython.describe(restored)
        #expect(fromRestored.map(\.variables) == (try TensorFlowPython.describe(originals)).map(\.variables))
        #expect(fromRestored.allSatisfy { !$0.variables.isEmpty })
    }

    /// A TF1 checkpoint restored from an archive carries its MetaGraph: `import_meta_graph`
    /// rebuilds the graph and its Saver restores the same values as from the original.
    @Test func restoredTF1CheckpointsImportTheirMetaGraph() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path, "tf1_saver"])
        let run = directory.path("tf1_saver")
        let archive = directory.path("archive")
        #expect(try Archiver().archive(run: run, into: archive).added.count == 3)
        let out = directory.path("restored")
        let entry = try Restorer().restore(archive: archive, step: nil, into: out).entry
        let resumed =
            try JSONSerialization.jsonObject(with: try TensorFlowPython.generate(["--resume-tf1", out + "/" + entry.checkpoint]))
            as! [String: Any]
        let original =
            try JSONSerialization.jsonObject(with: try TensorFlowPython.generate(["--resume-tf1", run + "/" + entry.checkpoint]))
            as! [String: Any]
        #expect(resumed["global_step"] as? Int == 50)
        #expect((resumed["variables"] as? [String: String]) == (original["variables"] as? [String: String]))
        #expect((resumed["variables"] as? [String: String])?.isEmpty == false)
    }

    @Test func tensorFlowReadsWhatWeWrite() throws {
        let directory = TemporaryDirectory()
        let written = try OurBundles.write(in: directory)
        let seen = try TensorFlowPython.describe(written.map(\.prefix))
        #expect(seen.count == written.count)
        for (ours, theirs) in zip(written, seen) {
            #expect(theirs.variables == ours.variables, "\(ours.prefix)")
        }
    }

    /// Our strict decoder of the object graph reads every TF2 checkpoint TensorFlow writes as
    /// TensorFlow's own proto parser does.
    @Test func objectGraphsDecodeAsTensorFlowParsesThem() throws {
        let directory = TemporaryDirectory()
        _ = try TensorFlowPython.generate(["--out", directory.path, "tf2_keras_adam", "sharded_tf2"])
        for prefix in [directory.path("tf2_keras_adam/ckpt-2"), directory.path("sharded_tf2/ckpt-1")] {
            let nodes =
                try JSONSerialization.jsonObject(with: try TensorFlowPython.generate(["--object-graph", prefix])) as! [[String: [[Any]]]]
            let expected = nodes.map { node in
                ObjectGraph.Node(
                    children: node["children"]!.map { ObjectGraph.Child(node: $0[0] as! Int, name: $0[1] as! String) },
                    attributes: node["attributes"]!.map {
                        ObjectGraph.Attribute(name: $0[0] as! String, fullName: $0[1] as! String, checkpointKey: $0[2] as! String)
                    },
                    slots: node["slots"]!.map {
                        ObjectGraph.SlotReference(variableNode: $0[0] as! Int, slotName: $0[1] as! String, slotNode: $0[2] as! Int)
                    })
            }
            let bundle = try CheckpointBundle(prefix: prefix)
            guard case .strings(let strings) = try bundle.value(forKey: Array(ObjectGraph.key.utf8)).contents else {
                Issue.record("\(prefix): no object graph string")
                continue
            }
            let decoded = try ObjectGraph.decode(strings[0])
            #expect(decoded.nodes == expected, "\(prefix)")
            #expect(decoded.issues.isEmpty, "\(decoded.issues)")
        }
    }

    /// `ckptverify --show NAME --npy FILE` for every tensor of the dtype zoo, a Keras run and a
    /// V1 checkpoint: every file numpy.load reads equals what TensorFlow's reader returns, and
    /// the values print as numpy prints that value.
    @Test func showAndNpyEqualWhatTensorFlowReturns() throws {
        let directory = TemporaryDirectory()
        var triples: [String] = []
        var printed: [String: String] = [:]
        for prefix in ["dtypes/zoo", "tf2_keras_adam/ckpt-40", "layouts/v1/model.ckpt-7", "layouts/models/mlp/1/variables/variables"] {
            let listing = try ToolRunner.json(try ToolRunner.run("ckptverify", ["--list", "--json", Fixtures.path(prefix)]).standardOutput)
            let variables = ((listing["checkpoints"] as? [[String: Any]])?.first?["variables"] as? [[String: Any]]) ?? []
            for variable in variables {
                let key = variable["key"] as! String
                guard variable["dtype"] as? String != "variant" else { continue }
                let file = directory.path("\(triples.count / 3).npy")
                let shown = try ToolRunner.run("ckptverify", ["--show", key, "--npy", file, Fixtures.path(prefix)])
                // Strings ending in NUL bytes (a serialized object graph) are refused: numpy's
                // fixed-width bytes would drop them.
                guard !shown.standardError.contains("ends in a NUL byte") else { continue }
                #expect(shown.status == 0, "\(prefix) \(key): \(shown.standardError)")
                triples += [Fixtures.path(prefix), key, file]
                printed[file] = shown.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast()
                    .joined(separator: "\n")
            }
        }
        let results = try JSONSerialization.jsonObject(with: try TensorFlowPython.generate(["--check-npy"] + triples)) as! [[String: Any]]
        #expect(results.count == triples.count / 3 && results.count > 60)
        for (index, result) in results.enumerated() {
            #expect(result["equal"] as? Bool == true, "\(triples[3 * index]) \(result["key"]!)")
            // Printing: numpy's text for the dtypes it has as they are (floats, ints, bools, bytes).
            let theirs = result["printed"] as! String
            let key = result["key"] as! String
            if ["float32", "float64", "int32", "int64", "bool", "string", "uint8", "int8"].contains(where: { key.hasSuffix($0) })
                || triples[3 * index].hasSuffix("ckpt-40") || triples[3 * index].hasSuffix("model.ckpt-7")
            {
                #expect(printed[triples[3 * index + 2]] == theirs, "\(key): ours \(printed[triples[3 * index + 2]] ?? "") theirs \(theirs)")
            }
        }
    }
}
