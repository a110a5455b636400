// A real TensorFlow training run archived with `ckptdelta archive`, against `zstd -19` of each
// checkpoint alone and against `zstd --patch-from` chains, in one run; then the restore of the
// latest step against copying it.
//
//     cd Benchmarks && swift run -c release archive [SCRATCH_DIR]
//
// It writes the run (24 checkpoints, 25 steps apart) with `Scripts/tensorflow_checkpoints.py run` (CKPT_TF_PYTHON
// or ../.build/tf-venv) unless SCRATCH_DIR/tfrun already holds it, and builds ../ in release mode.

import BenchmarkSupport
import Foundation

let run = try Workspace.tensorFlowCheckpoints(mode: "run", into: "tfrun", marker: "ckpt-600.index")
let work = try Workspace.freshDirectory("archive-work")
let ckptdelta = try Workspace.tool("ckptdelta")
let size = Workspace.size

func totalSize(ofDirectory path: String) throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: path).reduce(0) { $0 + size(path + "/" + $1) }
}

/// The checkpoints of the run in step order, each as its files (index first).
let steps: [(step: Int, files: [String])] = try {
    let names = try FileManager.default.contentsOfDirectory(atPath: run)
    let numbers = names.filter { $0.hasSuffix(".index") }.compactMap { Int($0.dropFirst("ckpt-".count).dropLast(".index".count)) }.sorted()
    return numbers.map { step in
        (step, names.filter { $0 == "ckpt-\(step).index" || $0.hasPrefix("ckpt-\(step).data-") }.sorted().map { run + "/" + $0 })
    }
}()
let raw = steps.flatMap(\.files).reduce(0) { $0 + size($1) }
for file in steps.flatMap(\.files) { _ = try Spawn.shell("cat '\(file)' > /dev/null") }  // page cache

struct Row {
    let method: String
    let bytes: Int
    let seconds: Double
    let peakRSS: Int
}

// Ours.
let archive = work + "/archive"
let archived = try Spawn.run([ckptdelta, "archive", "-q", run, archive])
var rows = [Row(method: "ckptdelta archive (max chain 10)", bytes: try totalSize(ofDirectory: archive), seconds: archived.seconds, peakRSS: archived.peakRSS)]

// zstd -19 of each checkpoint file alone.
var alone = Row(method: "zstd -19 per checkpoint", bytes: 0, seconds: 0, peakRSS: 0)
for file in steps.flatMap(\.files) {
    let output = work + "/alone-" + (file as NSString).lastPathComponent + ".zst"
    let result = try Spawn.shell("zstd -q -f -19 '\(file)' -o '\(output)'")
    alone = Row(method: alone.method, bytes: alone.bytes + size(output), seconds: alone.seconds + result.seconds, peakRSS: max(alone.peakRSS, result.peakRSS))
}
rows.append(alone)

// zstd --patch-from chains: each file against the same file of the previous step.
var chain = Row(method: "zstd -19 --long=31 --patch-from chain", bytes: 0, seconds: 0, peakRSS: 0)
for (index, step) in steps.enumerated() {
    for (position, file) in step.files.enumerated() {
        let output = work + "/chain-" + (file as NSString).lastPathComponent + ".zst"
        let command = index == 0
            ? "zstd -q -f -19 '\(file)' -o '\(output)'"
            : "zstd -q -f -19 --long=31 --patch-from='\(steps[index - 1].files[position])' '\(file)' -o '\(output)'"
        let result = try Spawn.shell(command)
        chain = Row(method: chain.method, bytes: chain.bytes + size(output), seconds: chain.seconds + result.seconds, peakRSS: max(chain.peakRSS, result.peakRSS))
    }
}
rows.append(chain)

print("\nArchive of a real TensorFlow training run: \(steps.count) checkpoints (steps \(steps[0].step)...\(steps[steps.count - 1].step)), \(raw) bytes raw")
print("method".padding(toLength: 40, withPad: " ", startingAt: 0) + "       bytes  of raw  vs ours      time   peak RSS")
for row in rows {
    print(row.method.padding(toLength: 40, withPad: " ", startingAt: 0)
        + String(format: "  %10d  %6.3f  %6.2fx  %7.2f s  %6.1f MB", row.bytes, Double(row.bytes) / Double(raw),
                 Double(row.bytes) / Double(rows[0].bytes), row.seconds, Double(row.peakRSS) / 1e6))
}

// Restores against copying the checkpoint's files: the latest step, and the deepest one (the
// longest chain to apply).
let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: archive + "/archive.json"))) as! [String: Any]
let entries = (manifest["entries"] as! [[String: Any]]).map { (step: $0["step"] as! Int, depth: $0["depth"] as! Int) }
let deepest = entries.filter { $0.depth == entries.map(\.depth).max()! }.last!
print("\nRestore against copying, best of 3, page-cached:")
for (label, entry) in [("latest", entries.last!), ("deepest", deepest)] {
    let files = steps.first { $0.step == entry.step }!.files
    let bytes = files.reduce(0) { $0 + size($1) }
    var restoreRuns: [Spawn.Run] = []
    var copyRuns: [Spawn.Run] = []
    for attempt in 0..<3 {
        let restored = work + "/restored-\(label)\(attempt)"
        restoreRuns.append(try Spawn.run([ckptdelta, "restore", "-q", archive, "--step", String(entry.step), "-o", restored]))
        for file in files {
            guard FileManager.default.contentsEqual(atPath: file, andPath: restored + "/" + (file as NSString).lastPathComponent) else {
                fatalError("\(file) was not restored byte for byte")
            }
        }
        let copied = work + "/copied-\(label)\(attempt)"
        try FileManager.default.createDirectory(atPath: copied, withIntermediateDirectories: true)
        copyRuns.append(try Spawn.shell("cp " + files.map { "'\($0)'" }.joined(separator: " ") + " '\(copied)/' && sync -f '\(copied)'"))
    }
    let restore = restoreRuns.min { $0.seconds < $1.seconds }!
    let copy = copyRuns.min { $0.seconds < $1.seconds }!
    print("\(label) step \(entry.step) (\(bytes) bytes, chain depth \(entry.depth), \(entry.depth + 1) file(s) applied):")
    print(String(format: "  ckptdelta restore  %7.3f s  (%5.2f GB/s)  peak RSS %6.1f MB", restore.seconds, Double(bytes) / restore.seconds / 1e9, Double(restore.peakRSS) / 1e6))
    print(String(format: "  cp + sync          %7.3f s  (%5.2f GB/s)  restore takes %.1fx as long", copy.seconds, Double(bytes) / copy.seconds / 1e9, restore.seconds / copy.seconds))
}
