import Checksums
import FixtureSupport
import SSTable
import Testing

@Suite struct TableReaderTests {
    @Test func readsTheWorkedExample() {
        let table = WorkedExample.index.withUnsafeBytes { Table.read($0) }
        #expect(table.findings.isEmpty)
        #expect(table.hasIndex)
        #expect(table.records.map(\.key) == [[], Array("f".utf8), Array("s".utf8)])
        #expect(table.records.map(\.value) == [WorkedExample.header, WorkedExample.floatEntry, WorkedExample.stringEntry])
        #expect(table.records.map(\.offset) == [0, 9, 32])
    }

    static func findings(_ bytes: [UInt8]) -> [TableFinding.Code] {
        bytes.withUnsafeBytes { Table.read($0) }.findings.map(\.code)
    }

    @Test func shortFilesAndBadMagic() {
        #expect(Self.findings([]) == [.tooShort])
        #expect(Self.findings(Array(WorkedExample.index.suffix(47))) == [.tooShort])
        var flipped = WorkedExample.index
        flipped[flipped.count - 1] ^= 1
        #expect(Self.findings(flipped) == [.badMagic])
    }

    /// Every single-byte flip of the index is reported, and none crashes the reader.
    @Test func everyByteFlipIsFound() {
        for position in WorkedExample.index.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var bytes = WorkedExample.index
                bytes[position] ^= mask
                let table = bytes.withUnsafeBytes { Table.read($0) }
                #expect(!table.findings.isEmpty, "flip 0x\(String(mask, radix: 16)) at \(position) went unnoticed")
            }
        }
    }

    /// Every truncation is reported (a table is only whole with its footer).
    @Test func everyTruncationIsFound() {
        for length in 0..<WorkedExample.index.count {
            let findings = Self.findings(Array(WorkedExample.index.prefix(length)))
            #expect(!findings.isEmpty, "truncation to \(length) bytes went unnoticed")
        }
    }

    @Test func outOfRangeHandlesAndAbsurdVarints() {
        // A footer whose index handle claims a huge block.
        var footer: [UInt8] = []
        BlockHandle(offset: 0, size: 8).encode(to: &footer)
        BlockHandle(offset: 0, size: Int.max - 2).encode(to: &footer)
        footer += [UInt8](repeating: 0, count: 40 - footer.count) + [0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB]
        #expect(Self.findings([UInt8](repeating: 0, count: 13) + footer) == [.blockOutOfRange])
        // An 11-byte varint in a handle.
        let overlong = [UInt8](repeating: 0xFF, count: 11) + [UInt8](repeating: 0, count: 29)
            + [0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB]
        #expect(Self.findings(overlong) == [.badHandle])
    }

    /// A block whose restart count is absurd, and an entry whose lengths run off the block.
    @Test func hostileBlockContents() {
        for contents: [UInt8] in [
            [0xFF, 0xFF, 0xFF, 0x7F],  // 2^31 restarts in a 4-byte block
            [0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],  // 4 GiB value
            [0x03, 0x01, 0x00, 0x61, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],  // shares 3 bytes with nothing
        ] {
            var bytes = contents
            var crc = CRC32C()
            crc.update(contents)
            crc.update([0])
            bytes.append(0)
            withUnsafeBytes(of: CRC32C.mask(crc.value).littleEndian) { bytes += $0 }
            let metaOffset = bytes.count
            bytes += [0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 0xF2, 0xA1, 0xB0]
            var index: [UInt8] = [0x00, 0x01]
            var handle: [UInt8] = []
            BlockHandle(offset: 0, size: contents.count).encode(to: &handle)
            index += [UInt8(handle.count), 0x7A] + handle + [0, 0, 0, 0, 1, 0, 0, 0]
            let indexOffset = bytes.count
            crc = CRC32C()
            crc.update(index)
            crc.update([0])
            bytes += index + [0]
            withUnsafeBytes(of: CRC32C.mask(crc.value).littleEndian) { bytes += $0 }
            var footer: [UInt8] = []
            BlockHandle(offset: metaOffset, size: 8).encode(to: &footer)
            BlockHandle(offset: indexOffset, size: index.count).encode(to: &footer)
            footer += [UInt8](repeating: 0, count: 40 - footer.count) + [0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB]
            let findings = Self.findings(bytes + footer)
            #expect(findings.contains(.badBlockContents) || findings.contains(.badEntry), "\(contents) gave \(findings)")
        }
    }

    static func decode(_ bytes: [UInt8], maximumBytes: Int = 10, maximumValue: UInt64 = .max) -> Result<UInt64, Varint.Failure> {
        bytes.withUnsafeBytes { raw in
            Result { () throws(Varint.Failure) in
                try Varint.decode(raw, at: 0, maximumBytes: maximumBytes, maximumValue: maximumValue).value
            }
        }
    }

    @Test func varintLimits() {
        let limit32 = UInt64(UInt32.max)
        #expect(Self.decode([0xFF, 0xFF, 0xFF, 0xFF, 0x0F], maximumBytes: 5, maximumValue: limit32) == .success(limit32))
        #expect(Self.decode([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], maximumBytes: 5, maximumValue: limit32) == .failure(.overlong))
        #expect(Self.decode([0x80, 0x80, 0x80, 0x80, 0x80, 0x00], maximumBytes: 5) == .failure(.overlong))
        #expect(Self.decode([0x80, 0x80]) == .failure(.truncated))
        #expect(Self.decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]) == .success(.max))
        #expect(Self.decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]) == .failure(.overlong))
        #expect(Self.decode([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) == .failure(.overlong))
    }
}
