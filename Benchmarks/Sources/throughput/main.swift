// Throughput of the foundation: the CRC-32C and XXH3 wrappers, and reading every tensor of a
// 1 GB checkpoint through memory maps, next to `cat FILE > /dev/null` on the same file, all in
// one run on a page-cached checkpoint.
//
//     cd Benchmarks && swift run -c release throughput [SCRATCH_DIR]

import BenchmarkSupport
import Checksums
import Foundation
import MappedIO
import TensorBundle

let scratch = CommandLine.arguments.dropFirst().first ?? "/tmp/ckpt-bench"
let prefix = scratch + "/synthetic-1g/ckpt"
try SyntheticCheckpoint.ensure(prefix: prefix, sizes: SyntheticCheckpoint.uniform)
let dataPath = BundleFiles.data(prefix: prefix, shard: 0, of: 1)
let dataFile = try MappedFile(path: dataPath)
let totalBytes = Double(dataFile.count)

func gbPerSecond(_ bytes: Double, _ seconds: Double) -> String {
    String(format: "%6.2f GB/s", bytes / seconds / 1e9)
}

var rows: [(String, Double, Double)] = []  // name, bytes, seconds

// Warm the page cache and measure cat.
func cat() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "cat '\(dataPath)' > /dev/null"]
    try process.run()
    process.waitUntilExit()
}
try cat()
let catSeconds = try Clock.best { try cat() }
rows.append(("cat FILE > /dev/null", totalBytes, catSeconds))

// The wrappers on a 256 MiB piece of the mapped data.
let piece = 256 << 20
dataFile.withUnsafeBytes { raw in
    let buffer = UnsafeRawBufferPointer(rebasing: raw[..<piece])
    var sink: UInt64 = 0
    rows.append(("CRC-32C (ISA-L), 256 MiB", Double(piece), Clock.best { sink &+= UInt64(CRC32C.checksum(buffer)) }))
    rows.append(("XXH3-64 (dispatch), 256 MiB", Double(piece), Clock.best { sink &+= XXH3.hash64(buffer) }))
    rows.append(("XXH3-128 (dispatch), 256 MiB", Double(piece), Clock.best { sink &+= XXH3.hash128(buffer).low }))
    if sink == 42 { print("") }
}

// Every tensor through the mapping, CRC-checked (one core).
let readSeconds = try Clock.best {
    let bundle = try CheckpointBundle(prefix: prefix)
    for summary in bundle.summaries {
        let entry = try bundle.entry(forKey: summary.key)
        let crc = try bundle.withStoredBytes(of: entry, key: summary.key) { CRC32C.checksum($0) }
        precondition(CRC32C.mask(crc) == entry.crc32c, "checksum mismatch in \(summary.name)")
    }
}
rows.append(("read + CRC every tensor via mmap", totalBytes, readSeconds))

print("checkpoint: \(prefix) (\(SyntheticCheckpoint.uniform.count) float32 tensors, \(Int(totalBytes)) bytes), page-cached, best of 3")
print("measurement".padding(toLength: 36, withPad: " ", startingAt: 0) + "    time      throughput   vs cat")
let catRate = totalBytes / catSeconds
for (name, bytes, seconds) in rows {
    let rate = bytes / seconds
    print(name.padding(toLength: 36, withPad: " ", startingAt: 0)
        + String(format: "%8.3f s  ", seconds) + gbPerSecond(bytes, seconds) + String(format: "   %5.2fx", rate / catRate))
}
