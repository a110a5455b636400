import Checksums
import Testing

@Suite struct XXH3Tests {
    /// Reference values from the `xxhash` Python package (xxHash's reference implementation).
    static let vectors: [(bytes: [UInt8], hash64: UInt64, hash128: String)] = [
        ([], 0x2D06_8005_38D3_94C2, "99aa06d3014798d86001c324468d497f"),
        (Array("a".utf8), 0xE6C6_32B6_1E96_4E1F, "a96faf705af16834e6c632b61e964e1f"),
        (Array("123456789".utf8), 0x72DC_B18B_67A1_7DFF, "33119477ede5dcd5e9716427681d5860"),
        (Array(repeating: Array(0...255), count: 5).flatMap { $0 }, 0x4844_B009_E164_352E, "d92ab3a1cb0542a74844b009e164352e"),
    ]

    @Test func referenceVectors() {
        for (bytes, hash64, hash128) in Self.vectors {
            bytes.withUnsafeBytes { raw in
                #expect(XXH3.hash64(raw) == hash64)
                #expect(XXH3.hash128(raw).description == hash128)
            }
        }
    }

    @Test func streamingEqualsOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var hasher = XXH3Hasher128()
        bytes.withUnsafeBytes { raw in
            var offset = 0
            for piece in [0, 1, 63, 4096, 17, 50_000] {
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + piece]))
                offset += piece
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            #expect(hasher.finalize() == XXH3.hash128(raw))
        }
    }
}
