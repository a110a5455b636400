import MappedIO
import TensorBundle

/// A large checkpoint of float32 tensors with weight-like values, written by our writer.
enum SyntheticCheckpoint {
    /// Writes (once) a checkpoint of `tensorCount` tensors of `tensorBytes` each at `prefix`.
    static func ensure(prefix: String, tensorCount: Int, tensorBytes: Int) throws {
        if FileSystem.exists(BundleFiles.index(prefix: prefix)) { return }
        try FileSystem.createDirectory(Path.directory(of: prefix))
        var writer = try BundleWriter(prefix: prefix)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var buffer = [Float](repeating: 0, count: tensorBytes / 4)
        for index in 0..<tensorCount {
            for element in buffer.indices {
                // xorshift64*, mapped to a roughly N(0, 0.02) value by summing four uniforms.
                var sum: Float = 0
                for _ in 0..<2 {
                    state ^= state >> 12
                    state ^= state << 25
                    state ^= state >> 27
                    let bits = state &* 0x2545_F491_4F6C_DD1D
                    sum += Float(bits & 0xFFFF) / 65536 + Float((bits >> 16) & 0xFFFF) / 65536
                }
                buffer[element] = (sum - 2) * 0.035
            }
            try buffer.withUnsafeBytes { raw in
                try writer.add(Array("layer\(index)/kernel".utf8), dtype: .float32, shape: TensorShape([Int64(buffer.count)]), bytes: raw)
            }
        }
        try writer.finish()
    }
}
