import Checksums
import Testing

@Suite struct CRC32CTests {
    /// RFC 3720 B.4 and the classic check value.
    static let vectors: [(bytes: [UInt8], crc: UInt32)] = [
        (Array("123456789".utf8), 0xE306_9283),
        ([UInt8](repeating: 0x00, count: 32), 0x8A91_36AA),
        ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        (Array(0...31), 0x46DD_794E),
        (Array((0...31).reversed()), 0x113F_DB5C),
        ([], 0),
    ]

    @Test func standardVectors() {
        for (bytes, crc) in Self.vectors {
            #expect(CRC32C.checksum(bytes) == crc)
        }
    }

    @Test func updatesChainLikeOneCall() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in 0...bytes.count {
            var crc = CRC32C()
            crc.update(bytes[..<split])
            crc.update(bytes[split...])
            #expect(crc.value == CRC32C.checksum(bytes))
        }
    }

    @Test func maskMatchesTheSpecification() {
        #expect(CRC32C.mask(0) == 0xA282_EAD8)
        #expect(CRC32C.mask(0x8051_04B9) == 0xABF5_EB7A)  // the float tensor of the worked example
        for value: UInt32 in [0, 1, 0xDEAD_BEEF, .max, 0x8000_0000] {
            #expect(CRC32C.unmask(CRC32C.mask(value)) == value)
        }
    }

    @Test func combineEqualsTheCRCOfTheConcatenation() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 7, 64, 1000, 4097] {
            let a = (0..<333).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let b = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let combined = CRC32C.combine(CRC32C.checksum(a), CRC32C.checksum(b), lengthB: b.count)
            #expect(combined == CRC32C.checksum(a + b))
        }
    }

    @Test func largeBuffersAreFedInPieces() {
        // Just past the 1 GiB piece size would take a second to allocate; check the piece logic
        // through equality of chained and one-shot CRCs on a buffer of several MiB instead.
        let bytes = [UInt8](repeating: 0x5A, count: 5 << 20)
        var crc = CRC32C()
        bytes.withUnsafeBytes { raw in
            crc.update(UnsafeRawBufferPointer(rebasing: raw[..<(3 << 20)]))
            crc.update(UnsafeRawBufferPointer(rebasing: raw[(3 << 20)...]))
        }
        #expect(crc.value == CRC32C.checksum(bytes))
    }
}
