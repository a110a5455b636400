import Testing

@testable import Delta

@Suite struct CodecTests {
    /// Every encoding decodes to the bytes it encoded, at lengths around the SIMD width.
    @Test func everyEncodingRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let codec = ChunkCodec(level: 1)
        for count in [0, 3, 4, 63, 64, 65, 100, 1000, 4099] {
            let target = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let base = target.map { $0 ^ (UInt8.random(in: 0...3, using: &generator)) }
            for width in [1, 2, 4, 8] {
                for encoding in [ChunkEncoding.planes, .xorPlanes, .subtractPlanes] {
                    var payload: [UInt8] = []
                    try target.withUnsafeBytes { t in
                        try base.withUnsafeBytes { b in try codec.encode(t, base: b, elementSize: width, as: encoding, into: &payload) }
                    }
                    var output = [UInt8](repeating: 0, count: count)
                    try payload.withUnsafeBytes { p in
                        try base.withUnsafeBytes { b in
                            try output.withUnsafeMutableBytes { o in
                                try codec.decode(p, encoding: encoding, elementSize: width, base: encoding.usesBase ? b : nil, into: o)
                            }
                        }
                    }
                    #expect(output == target, "count \(count), width \(width), \(encoding)")
                }
            }
        }
    }
}
