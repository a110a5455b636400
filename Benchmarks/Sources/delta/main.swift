// ckptdelta against generic binary-delta tools on real TensorFlow checkpoints, in one run:
// delta size as a fraction of the target, create and apply time, peak memory.
//
//     cd Benchmarks && swift run -c release delta [SCRATCH_DIR]
//
// It writes the TensorFlow checkpoints with `Scripts/tensorflow_checkpoints.py delta`, `embedding` and `optimizers` (CKPT_TF_PYTHON or
// ../.build/tf-venv) unless SCRATCH_DIR/tfreal already holds them, and builds ../ in release
// mode. zstd and xdelta3 come from Debian's packages of those names.

import BenchmarkSupport
import Foundation

let scratch = Workspace.scratch
let real = try Workspace.tensorFlowCheckpoints(mode: "delta", into: "tfreal", marker: "sparse-large/ckpt-2.index")
let work = try Workspace.freshDirectory("delta-work")
let ckptdelta = try Workspace.tool("ckptdelta")

/// The files of a checkpoint (index and data), by path.
func files(_ prefix: String) throws -> [String] {
    let directory = (prefix as NSString).deletingLastPathComponent
    let name = (prefix as NSString).lastPathComponent
    return try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0 == name + ".index" || $0.hasPrefix(name + ".data-") }.sorted().map { directory + "/" + $0 }
}

struct Row {
    let tool: String
    let bytes: Int
    let create: Spawn.Run
    let apply: Spawn.Run
}

/// Runs a per-file generic tool over every file of the pair, summing sizes and times.
func generic(_ tool: String, base: String, target: String, encode: (String, String, String) -> String,
             decode: (String, String, String) -> String) throws -> Row {
    var bytes = 0
    var createSeconds = 0.0, applySeconds = 0.0, createPeak = 0, applyPeak = 0
    for (baseFile, targetFile) in zip(try files(base), try files(target)) {
        let delta = work + "/" + tool + "-" + (targetFile as NSString).lastPathComponent
        let created = try Spawn.shell(encode(baseFile, targetFile, delta))
        let applied = try Spawn.shell(decode(baseFile, delta, delta + ".out"))
        bytes += Workspace.size(delta)
        createSeconds += created.seconds
        applySeconds += applied.seconds
        createPeak = max(createPeak, created.peakRSS)
        applyPeak = max(applyPeak, applied.peakRSS)
    }
    return Row(tool: tool, bytes: bytes, create: Spawn.Run(seconds: createSeconds, peakRSS: createPeak),
               apply: Spawn.Run(seconds: applySeconds, peakRSS: applyPeak))
}

func ours(base: String?, target: String, options: [String] = []) throws -> Row {
    let delta = work + "/ours.delta"
    let out = work + "/ours-out"
    try? FileManager.default.removeItem(atPath: out)
    let create = try Spawn.run([ckptdelta, "create", "--force", "-q"] + options + (base.map { [$0] } ?? ["--no-base"]) + [target, "-o", delta])
    let apply = try Spawn.run([ckptdelta, "apply", "--force"] + (base.map { [$0] } ?? []) + [delta, "-o", out])
    for file in try files(target) {
        guard FileManager.default.contentsEqual(atPath: file, andPath: out + "/" + (file as NSString).lastPathComponent) else {
            fatalError("\(file) was not rebuilt byte for byte")
        }
    }
    return Row(tool: (["ckptdelta"] + options + (base == nil ? ["--no-base"] : [])).joined(separator: " "), bytes: Workspace.size(delta),
               create: create, apply: apply)
}

/// Copying the target's files (and flushing them), the floor for writing its bytes on this disk.
func copy(target: String) throws -> Row {
    let out = work + "/copy"
    try? FileManager.default.removeItem(atPath: out)
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let files = try files(target)
    let run = try Spawn.shell("cp " + files.map { "'\($0)'" }.joined(separator: " ") + " '\(out)/' && sync -f '\(out)'")
    return Row(tool: "cp + sync (no delta, for scale)", bytes: files.reduce(0) { $0 + Workspace.size($1) }, create: run, apply: run)
}

func zstdPatch(base: String, target: String) throws -> Row {
    try generic("zstd -19 --long=31 --patch-from", base: base, target: target,
        encode: { "zstd -q -f -19 --long=31 --patch-from='\($0)' '\($1)' -o '\($2)'" },
        decode: { "zstd -q -f -d --long=31 --patch-from='\($0)' '\($1)' -o '\($2)'" })
}

/// The checkpoints of one optimizer run, in step order.
func steps(_ run: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasSuffix(".index") }.map { run + "/" + $0.dropLast(6) }
        .sorted { Int($0.split(separator: "-").last!)! < Int($1.split(separator: "-").last!)! }
}

/// One row per optimizer: the delta of consecutive steps (100 → 101) and of steps 20 apart
/// (100 → 120) as a fraction of the target, with the optimizer's predictions and without
/// (every tensor against its base bytes), against `zstd --patch-from`; create and apply time.
func optimizerTable(_ root: String) throws {
    print("\nOptimizers, at a constant rate and under a schedule (NAME_SCHEDULE): steps 100 → 101 and 100 → 120 of a 279k-parameter MLP (\(root))")
    print("optimizer                         101: ours  no-pred  zstd-patch   120: ours  no-pred   create s  apply s")
    for run in try FileManager.default.contentsOfDirectory(atPath: root).sorted() {
        let prefixes = try steps(root + "/" + run)
        let targetBytes = try files(prefixes[1]).reduce(0) { $0 + Workspace.size($1) }
        let distantBytes = try files(prefixes[2]).reduce(0) { $0 + Workspace.size($1) }
        let next = try ours(base: prefixes[0], target: prefixes[1])
        let nextPlain = try ours(base: prefixes[0], target: prefixes[1], options: ["--no-predictions"])
        let patch = try zstdPatch(base: prefixes[0], target: prefixes[1])
        let distant = try ours(base: prefixes[0], target: prefixes[2])
        let distantPlain = try ours(base: prefixes[0], target: prefixes[2], options: ["--no-predictions"])
        func ratio(_ row: Row, _ total: Int) -> String { String(format: "%.3f", Double(row.bytes) / Double(total)) }
        print(run.padding(toLength: 33, withPad: " ", startingAt: 0)
            + "  \(ratio(next, targetBytes))    \(ratio(nextPlain, targetBytes))    \(ratio(patch, targetBytes))"
            + "        \(ratio(distant, distantBytes))    \(ratio(distantPlain, distantBytes))"
            + String(format: "     %.3f    %.3f", next.create.seconds, next.apply.seconds))
    }
}

/// `ckptdelta apply` against writing the target's files with `dd` (O_DIRECT, fsync: the write
/// floor), `ckptdelta create` against reading both inputs with `cat`; medians of `rounds`
/// interleaved runs, page-cached inputs.
func floors(_ title: String, base: String, target: String, rounds: Int = 5) throws {
    let out = work + "/floor"
    var times: [String: [Double]] = [:]
    var peaks: [String: Int] = [:]
    for file in try files(base) + files(target) { _ = try Spawn.shell("cat '\(file)' > /dev/null") }
    for _ in 0..<rounds {
        try? FileManager.default.removeItem(atPath: out)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let dd = try files(target).map { "dd if='\($0)' of='\(out)/\(($0 as NSString).lastPathComponent)' bs=8M oflag=direct conv=fsync status=none" }
        times["dd", default: []].append(try Spawn.shell(dd.joined(separator: " && ")).seconds)
        times["cat", default: []].append(try Spawn.shell("cat " + (try files(base) + files(target)).map { "'\($0)'" }.joined(separator: " ") + " > /dev/null").seconds)
        let row = try ours(base: base, target: target)
        times["create", default: []].append(row.create.seconds)
        times["apply", default: []].append(row.apply.seconds)
        peaks["create"] = max(peaks["create"] ?? 0, row.create.peakRSS)
        peaks["apply"] = max(peaks["apply"] ?? 0, row.apply.peakRSS)
    }
    func median(_ name: String) -> Double { times[name]!.sorted()[rounds / 2] }
    print("\n\(title): medians of \(rounds) interleaved runs")
    print(String(format: "  ckptdelta apply   %.3f s   dd of the target (O_DIRECT, fsync) %.3f s   ratio %.2fx (goal ≤ 1.5x)   peak RSS %.1f MB",
                 median("apply"), median("dd"), median("apply") / median("dd"), Double(peaks["apply"]!) / 1e6))
    print(String(format: "  ckptdelta create  %.3f s   cat of both inputs               %.3f s   ratio %.2fx (goal ≤ 2x)     peak RSS %.1f MB",
                 median("create"), median("cat"), median("create") / median("cat"), Double(peaks["create"]!) / 1e6))
}

func report(_ title: String, base: String, target: String, generics: Bool) throws {
    let targetBytes = try files(target).reduce(0) { $0 + Workspace.size($1) }
    for file in try files(base) + files(target) { _ = try Spawn.shell("cat '\(file)' > /dev/null") }  // page cache
    var rows = [try ours(base: base, target: target), try ours(base: base, target: target, options: ["--no-predictions"]),
                try ours(base: nil, target: target), try copy(target: target)]
    if generics {
        rows.append(try zstdPatch(base: base, target: target))
        rows.append(try generic("xdelta3 -9 -s", base: base, target: target,
            encode: { "xdelta3 -f -9 -e -s '\($0)' '\($1)' '\($2)'" },
            decode: { "xdelta3 -f -d -s '\($0)' '\($1)' '\($2)'" }))
        rows.append(try generic("zstd -19 (target alone)", base: base, target: target,
            encode: { _, target, out in "zstd -q -f -19 '\(target)' -o '\(out)'" },
            decode: { _, delta, out in "zstd -q -f -d '\(delta)' -o '\(out)'" }))
    }
    print("\n\(title): \(target) against \(base), \(targetBytes) bytes")
    print("tool".padding(toLength: 34, withPad: " ", startingAt: 0) + "  ratio   create (GB/s)      apply (GB/s)       peak RSS create/apply")
    for row in rows {
        print(row.tool.padding(toLength: 34, withPad: " ", startingAt: 0)
            + String(format: "  %.4f  %7.3f s (%5.2f)  %7.3f s (%5.2f)  %7.1f / %.1f MB",
                     Double(row.bytes) / Double(targetBytes), row.create.seconds, Double(targetBytes) / row.create.seconds / 1e9,
                     row.apply.seconds, Double(targetBytes) / row.apply.seconds / 1e9,
                     Double(row.create.peakRSS) / 1e6, Double(row.apply.peakRSS) / 1e6))
    }
}

try report("Adam, consecutive steps", base: real + "/adam/ckpt-1000", target: real + "/adam/ckpt-1001", generics: true)
try report("Adam, consecutive early steps", base: real + "/adam/ckpt-100", target: real + "/adam/ckpt-101", generics: true)
try report("Adam, steps far apart", base: real + "/adam/ckpt-100", target: real + "/adam/ckpt-1000", generics: true)
try optimizerTable(try Workspace.tensorFlowCheckpoints(mode: "optimizers", into: "tfoptimizers", marker: "tf1_adam_cosine/model.ckpt-120.index"))
try report("Sparse embedding updates", base: real + "/sparse/ckpt-1", target: real + "/sparse/ckpt-2", generics: true)
try report("Sparse embedding updates, 1.28 GB", base: real + "/sparse-large/ckpt-1", target: real + "/sparse-large/ckpt-2", generics: false)
try floors("Write floor, 1.28 GB sparse pair", base: real + "/sparse-large/ckpt-1", target: real + "/sparse-large/ckpt-2")
let embedding = try Workspace.tensorFlowCheckpoints(mode: "embedding", into: "tfembedding", marker: "ckpt-2.index")
try report("Keras Adam, 400,000 x 256 embedding, 2,048 rows a step, 1.2 GB", base: embedding + "/ckpt-1", target: embedding + "/ckpt-2", generics: false)
try floors("Create and write floors, 1.2 GB Adam embedding pair", base: embedding + "/ckpt-1", target: embedding + "/ckpt-2")
try SyntheticCheckpoint.ensure(prefix: scratch + "/model-like-1g/ckpt", sizes: SyntheticCheckpoint.modelLike)
try SyntheticCheckpoint.ensure(prefix: scratch + "/model-like-1g-step1/ckpt", sizes: SyntheticCheckpoint.modelLike, step: 1)
try report("Speed, 1 GB (synthetic)", base: scratch + "/model-like-1g/ckpt", target: scratch + "/model-like-1g-step1/ckpt", generics: false)
