// ckptverify against TensorFlow's own reader and `cat`, on one page-cached checkpoint of
// about 1 GB, in one run:
//
//     cd Benchmarks && swift run -c release verify [SCRATCH_DIR]
//
// It builds ../ in release mode first. The TensorFlow row uses CKPT_TF_PYTHON, or the
// virtualenv scripts/test creates (../.build/tf-venv); without one it is skipped.

import BenchmarkSupport
import Foundation
import Glibc

let scratch = Workspace.scratch
let prefix = scratch + "/model-like-1g/ckpt"
try SyntheticCheckpoint.ensure(prefix: prefix, sizes: SyntheticCheckpoint.modelLike)
let dataPath = prefix + ".data-00000-of-00001"
let dataBytes = Double(try FileManager.default.attributesOfItem(atPath: dataPath)[.size] as! Int)
let root = Workspace.root

let verify = try Workspace.tool("ckptverify")

// Warm the page cache, then time everything on the cached file.
let cat = ["/bin/sh", "-c", "cat '\(dataPath)' > /dev/null"]
_ = try Spawn.run(cat)
let catRun = try Spawn.best(of: 5, cat)
let ourRun = try Spawn.best(of: 5, [verify, "--quiet", prefix])

var tensorFlowSeconds: Double? = nil
let python = Workspace.python
if FileManager.default.isExecutableFile(atPath: python) {
    // load_checkpoint + get_tensor on every variable checks every CRC; best of 3, import excluded.
    let script = """
        import os, sys, time
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import tensorflow as tf
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            reader = tf.train.load_checkpoint(sys.argv[1])
            for name in reader.get_variable_to_shape_map():
                reader.get_tensor(name)
            best = min(best, time.perf_counter() - start)
        print(best)
        """
    let output = scratch + "/tensorflow-seconds"
    _ = try Spawn.run([python, "-c", script, prefix], output: output)
    tensorFlowSeconds = Double(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
}

func row(_ name: String, _ seconds: Double, _ note: String) {
    print(name.padding(toLength: 40, withPad: " ", startingAt: 0)
        + String(format: "%8.3f s  %6.2f GB/s  ", seconds, dataBytes / seconds / 1e9) + note)
}

print("checkpoint: \(prefix), \(SyntheticCheckpoint.modelLike.count) float32 tensors, \(Int(dataBytes)) bytes, page-cached, best of 5 (TensorFlow: best of 3), \(ProcessInfo.processInfo.activeProcessorCount) cores")
let ourSeconds = ourRun.seconds
row("cat DATA > /dev/null", catRun.seconds, "baseline")
row("ckptverify (all cores)", ourSeconds, String(format: "%.2fx cat's throughput (target >= 0.8)", catRun.seconds / ourSeconds))
if let tensorFlowSeconds {
    row("TensorFlow load_checkpoint + get_tensor", tensorFlowSeconds, String(format: "ckptverify is %.1fx faster (target >= 8)", tensorFlowSeconds / ourSeconds))
} else {
    print("TensorFlow reader: skipped (no Python with tensorflow; set CKPT_TF_PYTHON)")
}
print(String(format: "ckptverify peak RSS: %.1f MB (target < 100 MB)", Double(ourRun.peakRSS) / 1e6))
