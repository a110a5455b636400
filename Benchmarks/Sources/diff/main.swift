// ckptdiff on two consecutive steps of a 1 GB checkpoint, against a numpy baseline that loads
// both with TensorFlow's reader and computes the same statistics (Fixtures/generate.py's
// diff_report), in one run:
//
//     cd Benchmarks && swift run -c release diff [SCRATCH_DIR]
//
// It builds ../ in release mode first. The baseline uses CKPT_TF_PYTHON, or the virtualenv
// scripts/test creates (../.build/tf-venv); without one it is skipped.

import BenchmarkSupport
import Foundation

let scratch = Workspace.scratch
let base = scratch + "/model-like-1g/ckpt"
let next = scratch + "/model-like-1g-step1/ckpt"
try SyntheticCheckpoint.ensure(prefix: base, sizes: SyntheticCheckpoint.modelLike)
try SyntheticCheckpoint.ensure(prefix: next, sizes: SyntheticCheckpoint.modelLike, step: 1)
let bytes = Double(try FileManager.default.attributesOfItem(atPath: next + ".data-00000-of-00001")[.size] as! Int)
let root = Workspace.root

let ckptdiff = try Workspace.tool("ckptdiff")

// Warm the page cache with both checkpoints; ckptdiff exits 1 (they differ), so run it via sh.
let command = ["/bin/sh", "-c", "'\(ckptdiff)' --json '\(base)' '\(next)' > /dev/null; test $? -eq 1"]
_ = try Spawn.run(command)
let ours = try Spawn.best(of: 5, command)

var baseline: Double? = nil
let python = Workspace.python
if FileManager.default.isExecutableFile(atPath: python) {
    let script = """
        import os, sys, time
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        sys.path.insert(0, sys.argv[3])
        from generate import diff_report
        start = time.perf_counter()
        diff_report(sys.argv[1], sys.argv[2], "/")
        print(time.perf_counter() - start)
        """
    let output = scratch + "/numpy-seconds"
    // OPENBLAS_CORETYPE slows a current numpy on this machine; unset it for the baseline only.
    _ = try Spawn.run(["/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", python, "-c", script, base, next, root + "/Fixtures"], output: output)
    baseline = Double(try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
}

func row(_ name: String, _ seconds: Double, _ note: String) {
    print(name.padding(toLength: 44, withPad: " ", startingAt: 0)
        + String(format: "%8.3f s  %6.2f GB/s per side  ", seconds, bytes / seconds / 1e9) + note)
}

print("A: \(base)\nB: \(next)\n\(SyntheticCheckpoint.modelLike.count) float32 tensors, \(Int(bytes)) bytes each, page-cached, \(ProcessInfo.processInfo.activeProcessorCount) cores")
row("ckptdiff --json (best of 5)", ours.seconds, String(format: "peak RSS %.1f MB", Double(ours.peakRSS) / 1e6))
if let baseline {
    row("TensorFlow reader + numpy statistics (1 run)", baseline, String(format: "ckptdiff is %.1fx faster (target >= 5)", baseline / ours.seconds))
} else {
    print("numpy baseline: skipped (no Python with tensorflow; set CKPT_TF_PYTHON)")
}
