import Testing
import Zstandard

@Suite struct ZstdTests {
    @Test func roundTrip() throws {
        let source = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        var compressor = ZstdCompressor(level: 3)
        let frame = try source.withUnsafeBytes { try compressor.compress($0) }
        #expect(frame.count < source.count / 10)
        #expect(Array(frame.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])  // the zstd frame magic
        var decompressor = ZstdDecompressor()
        var output = [UInt8](repeating: 0, count: source.count)
        try frame.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { try decompressor.decompress(input, into: $0) }
        }
        #expect(output == source)
    }

    @Test func corruptFramesAndWrongSizesAreErrors() throws {
        let source = [UInt8](repeating: 7, count: 1000)
        var compressor = ZstdCompressor()
        var frame = try source.withUnsafeBytes { try compressor.compress($0) }
        var decompressor = ZstdDecompressor()
        var tooSmall = [UInt8](repeating: 0, count: 999)
        let small = #expect(throws: ZstdError.self) {
            try frame.withUnsafeBytes { input in try tooSmall.withUnsafeMutableBytes { try decompressor.decompress(input, into: $0) } }
        }
        #expect(small?.code == .decompression)
        var tooLarge = [UInt8](repeating: 0, count: 1001)
        let large = #expect(throws: ZstdError.self) {
            try frame.withUnsafeBytes { input in try tooLarge.withUnsafeMutableBytes { try decompressor.decompress(input, into: $0) } }
        }
        #expect(large?.code == .sizeMismatch)
        frame[0] ^= 0xFF
        var output = [UInt8](repeating: 0, count: 1000)
        #expect(throws: ZstdError.self) {
            try frame.withUnsafeBytes { input in try output.withUnsafeMutableBytes { try decompressor.decompress(input, into: $0) } }
        }
    }
}

@Suite struct ZstdPrefixTests {
    @Test func framesAgainstAPrefixNeedThatPrefix() throws {
        let base = (0..<100_000).map { UInt8(truncatingIfNeeded: ($0 &* 7919) >> 3) }
        var target = base
        target[500] ^= 1
        var compressor = ZstdCompressor(level: 3)
        var frame = [UInt8](repeating: 0, count: ZstdCompressor.bound(target.count))
        let count = try target.withUnsafeBytes { source in
            try base.withUnsafeBytes { prefix in
                try frame.withUnsafeMutableBytes { try compressor.compress(source, prefix: prefix, into: $0) }
            }
        }
        let alone = try target.withUnsafeBytes { try compressor.compress($0) }
        #expect(count < alone.count / 10)
        frame.removeLast(frame.count - count)
        var decompressor = ZstdDecompressor()
        var output = [UInt8](repeating: 0, count: target.count)
        try frame.withUnsafeBytes { input in
            try base.withUnsafeBytes { prefix in
                try output.withUnsafeMutableBytes { try decompressor.decompress(input, prefix: prefix, into: $0) }
            }
        }
        #expect(output == target)
        let wrong = [UInt8](repeating: 0, count: base.count)
        output = [UInt8](repeating: 0, count: target.count)
        let decoded = Result {
            try frame.withUnsafeBytes { input in
                try wrong.withUnsafeBytes { prefix in
                    try output.withUnsafeMutableBytes { try decompressor.decompress(input, prefix: prefix, into: $0) }
                }
            }
        }
        // With the wrong prefix the frame either fails or decodes to something else.
        #expect((try? decoded.get()) == nil || output != target)
    }
}
