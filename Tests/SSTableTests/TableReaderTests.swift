import BinaryCoding
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
        let overlong =
            [UInt8](repeating: 0xFF, count: 11) + [UInt8](repeating: 0, count: 29)
            + [0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB]
        #expect(Self.findings(overlong) == [.badHandle])
    }

    /// A table around hand-made data block contents stored with compression `type`, with a
    /// valid metaindex, index and footer.
    static func table(dataBlock contents: [UInt8], type: UInt8 = 0) -> [UInt8] {
        func appendBlock(_ block: [UInt8], type: UInt8, to bytes: inout [UInt8]) -> BlockHandle {
            let handle = BlockHandle(offset: bytes.count, size: block.count)
            var crc = CRC32C()
            crc.update(block)
            crc.update([type])
            bytes += block + [type]
            withUnsafeBytes(of: CRC32C.mask(crc.value).littleEndian) { bytes += $0 }
            return handle
        }
        var bytes: [UInt8] = []
        let data = appendBlock(contents, type: type, to: &bytes)
        let metaindex = appendBlock([0, 0, 0, 0, 1, 0, 0, 0], type: 0, to: &bytes)
        var handle: [UInt8] = []
        data.encode(to: &handle)
        let index = appendBlock([0x00, 0x01, UInt8(handle.count), 0x7A] + handle + [0, 0, 0, 0, 1, 0, 0, 0], type: 0, to: &bytes)
        var footer: [UInt8] = []
        metaindex.encode(to: &footer)
        index.encode(to: &footer)
        footer += [UInt8](repeating: 0, count: 40 - footer.count) + [0x57, 0xFB, 0x80, 0x8B, 0x24, 0x75, 0x47, 0xDB]
        return bytes + footer
    }

    /// A block whose restart count is absurd, and an entry whose lengths run off the block.
    @Test func hostileBlockContents() {
        for contents: [UInt8] in [
            [0xFF, 0xFF, 0xFF, 0x7F],  // 2^31 restarts in a 4-byte block
            [0x00, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],  // 4 GiB value
            [0x03, 0x01, 0x00, 0x61, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],  // shares 3 bytes with nothing
        ] {
            let findings = Self.findings(Self.table(dataBlock: contents))
            #expect(findings.contains(.badBlockContents) || findings.contains(.badEntry), "\(contents) gave \(findings)")
        }
    }

    /// Old TensorFlow merges wrote Snappy-compressed index blocks; they read back like plain ones.
    @Test func snappyBlocksDecompress() {
        // One entry "a" → "xy", then the restart array [0] and its count 1.
        let plain: [UInt8] = [0x00, 0x01, 0x02, 0x61, 0x78, 0x79] + [0, 0, 0, 0] + [1, 0, 0, 0]
        var snappy: [UInt8] = [UInt8(plain.count)]
        snappy += [0x18] + plain[0..<7]  // literal (tag (7-1)<<2): the entry and one zero
        snappy += [0x0A, 0x01, 0x00]  // copy with a 2-byte offset (tag (3-1)<<2|2): three zeros from 1 back
        snappy += [0x0C] + plain[10..<14]  // literal (tag (4-1)<<2): the restart count
        let table = Self.table(dataBlock: snappy, type: 1).withUnsafeBytes { Table.read($0) }
        #expect(table.findings.isEmpty, "\(table.findings)")
        #expect(table.records.map(\.key) == [Array("a".utf8)])
        #expect(table.records.map(\.value) == [Array("xy".utf8)])
        for corrupt: [UInt8] in [
            [UInt8(plain.count), 0x01, 0x09],  // a copy before any output
            [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x41],  // a declared length no input could produce
            [UInt8(plain.count), 0x18, 0x00],  // a literal past the input
            [0x02, 0x00, 0x41],  // shorter than declared
        ] {
            #expect(Self.findings(Self.table(dataBlock: corrupt, type: 1)) == [.badCompression], "\(corrupt)")
        }
        #expect(Self.findings(Self.table(dataBlock: plain, type: 2)) == [.badBlockType])
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
