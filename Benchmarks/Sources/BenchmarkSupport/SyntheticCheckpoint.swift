import MappedIO
import TensorBundle

/// Large checkpoints of float32 tensors with weight-like values, written by our writer.
public enum SyntheticCheckpoint {
    /// Tensor sizes shaped like a real model's: a few huge embedding-like tensors, many
    /// mid-sized kernels and a long tail of small biases (1.07 GB in all).
    public static let modelLike: [Int] =
        [Int](repeating: 128 << 20, count: 2) + [Int](repeating: 64 << 20, count: 8)
        + [Int](repeating: 4 << 20, count: 40) + [Int](repeating: 200 << 10, count: 400)

    /// 64 tensors of 16 MiB.
    public static let uniform: [Int] = [Int](repeating: 16 << 20, count: 64)

    /// Writes (once) a checkpoint with one float32 tensor per entry of `sizes` at `prefix`.
    /// With `step` 1 the same weights are written one optimizer step later: every value but
    /// those of each tenth tensor (a frozen layer) moves by about 1e-4 of its size.
    public static func ensure(prefix: String, sizes: [Int], step: Int = 0) throws {
        if FileSystem.exists(BundleFiles.index(prefix: prefix)) { return }
        try FileSystem.createDirectory(Path.directory(of: prefix))
        var writer = try BundleWriter(prefix: prefix)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for (index, bytes) in sizes.enumerated() {
            var buffer = [Float](repeating: 0, count: bytes / 4)
            let moves = step > 0 && index % 10 != 0
            for element in buffer.indices {
                // xorshift64*, four uniform 16-bit draws summed: roughly N(0, 0.02).
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                let bits = state &* 0x2545_F491_4F6C_DD1D
                let sum = (0..<4).reduce(Float(0)) { $0 + Float((bits >> (16 * UInt64($1))) & 0xFFFF) / 65536 }
                let weight = (sum - 2) * 0.035
                buffer[element] = moves ? weight * (1 + (Float(bits >> 48) / 65536 - 0.5) * 2e-4) : weight
            }
            try buffer.withUnsafeBytes { raw in
                try writer.add(Array("layer\(index)/kernel".utf8), dtype: .float32, shape: TensorShape([Int64(buffer.count)]), bytes: raw)
            }
        }
        try writer.finish()
    }
}
