import Checksums
import Delta
import FuzzSupport
import MappedIO

@testable import CheckpointCLI

// Delta files, applied to their real base. The first byte picks the mode: even, the rest is a
// whole delta file (framing, section hashes); odd, the rest is a manifest payload framed with
// valid hashes after the sections of a real delta, so that mutations reach the values behind
// the hashes (run lengths, offsets, names, element sizes).
let base = Path.join(FuzzWorkspace.fixtures, "tf2_keras_adam/ckpt-10")
let seed = Path.join(FuzzWorkspace.scratch, "seed.ckptdelta")
let input = Path.join(FuzzWorkspace.scratch, "input.ckptdelta")
let output = Path.join(FuzzWorkspace.scratch, "out")
try DeltaCreator().create(
    base: base, target: Path.join(FuzzWorkspace.fixtures, "tf2_keras_adam/ckpt-11"), output: seed, replacing: .regularFile())
let original = try FuzzWorkspace.read(seed)

/// A little-endian UInt64.
func littleEndian(_ value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

// The trailer says where the manifest section starts and how long it is; the payload sits
// after the section's kind byte and length, before its hash.
let manifest = original.withUnsafeBytes { raw -> Range<Int> in
    let trailer = raw.count - 32
    let offset = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: trailer, as: UInt64.self)))
    let length = Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: trailer + 8, as: UInt64.self)))
    return offset..<(offset + length)
}
let sections = Array(original[..<manifest.lowerBound])

// A delta of format version 1 against the same base, so that mutations reach its reader too.
let version1 = try FuzzWorkspace.read(Path.join(FuzzWorkspace.fixtures, "deltas/keras-adam-10-11.v1.delta"))

FuzzWorkspace.run(seeds: {
    [[0] + original, [1] + Array(original[(manifest.lowerBound + 9)..<(manifest.upperBound - 8)]), [0] + version1]
}) { bytes in
    guard let mode = bytes.first else { return }
    var file = Array(bytes.dropFirst())
    if mode & 1 == 1 {
        let section = [UInt8(3)] + littleEndian(UInt64(file.count)) + file + littleEndian(file.withUnsafeBytes { XXH3.hash64($0) })
        var trailer = littleEndian(UInt64(sections.count)) + littleEndian(UInt64(section.count))
        trailer += littleEndian(trailer.withUnsafeBytes { XXH3.hash64($0) })
        file = sections + section + trailer + Array("CKPTEND1".utf8)
    }
    FuzzWorkspace.write(file, to: input)
    guard let delta = try? DeltaFile(path: input) else { return }
    // What `ckptdelta info` prints of it.
    _ = DeltaOutput.text(delta, name: input)
    _ = DeltaOutput.json(delta, name: input).serialized()
    _ = try? DeltaApplier().apply(delta: input, base: delta.manifest.base == nil ? nil : base, into: output, replacing: .regularFile())
    try? FileSystem.removeTree(output)
}
