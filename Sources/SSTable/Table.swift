import BinaryCoding
import Checksums

/// A block of a table and what it is for.
public struct TableBlock: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        case data(Int)
        case metaindex
        case index
    }

    public let role: Role
    public let handle: BlockHandle

    /// "data block 3", "metaindex block", "index block".
    public var name: String {
        switch role {
        case .data(let number): "data block \(number)"
        case .metaindex: "metaindex block"
        case .index: "index block"
        }
    }
}

/// The complete, checked contents of a TensorFlow table (`.index`) file.
///
/// ``read(_:)`` never trusts a length it has not checked and never stops at the first
/// problem: every structural problem lands in ``findings`` with its byte offset, and every
/// record that could still be decoded lands in ``records``, in file order.
public struct Table: Sendable {
    /// Every decodable record, in the order stored (which is sorted unless a finding says otherwise).
    public let records: [TableRecord]
    /// Every problem found, in the order found.
    public let findings: [TableFinding]
    /// The blocks the footer and the index name, data blocks first, in index order.
    public let blocks: [TableBlock]

    /// Whether the footer and the index block could be read at all.
    public let hasIndex: Bool
    /// Bytes that neither a block nor the footer accounts for (all of them when the footer
    /// cannot be read).
    public let unclaimedBytes: Int

    /// Reads and checks a whole table.
    public static func read(_ bytes: UnsafeRawBufferPointer) -> Table {
        var reader = TableReader(bytes: bytes)
        reader.run()
        return Table(
            records: reader.records, findings: reader.findings, blocks: reader.blocks, hasIndex: reader.hasIndex,
            unclaimedBytes: reader.unclaimedBytes)
    }
}

/// The work behind ``Table/read(_:)``.
private struct TableReader {
    let bytes: UnsafeRawBufferPointer
    var records: [TableRecord] = []
    var findings: [TableFinding] = []
    var blocks: [TableBlock] = []
    var hasIndex = false
    var unclaimedBytes: Int

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.unclaimedBytes = bytes.count
    }

    mutating func run() {
        guard let (metaindex, index) = readFooter() else { return }
        unclaimedBytes = 0
        let footerStart = bytes.count - TableFormat.footerLength
        blocks.append(TableBlock(role: .metaindex, handle: metaindex))
        blocks.append(TableBlock(role: .index, handle: index))
        guard let indexEntries = readBlock(index, name: "index block", limit: footerStart) else { return }
        hasIndex = true
        if let metaEntries = readBlock(metaindex, name: "metaindex block", limit: footerStart), let first = metaEntries.first {
            findings.append(TableFinding(.metaindexNotEmpty, at: first.offset, "metaindex block holds \(metaEntries.count) entries"))
        }
        var dataBlocks: [(separator: TableRecord, handle: BlockHandle)] = []
        for entry in indexEntries {
            guard let handle = BlockHandle(encoded: entry.value) else {
                findings.append(
                    TableFinding(.badHandle, at: entry.offset, "index entry \(dataBlocks.count) has an undecodable block handle"))
                continue
            }
            blocks.insert(TableBlock(role: .data(dataBlocks.count), handle: handle), at: dataBlocks.count)
            dataBlocks.append((entry, handle))
        }
        checkLayout(footerStart: footerStart)
        var previousSeparator: [UInt8]? = nil
        for (number, (separator, handle)) in dataBlocks.enumerated() {
            let name = "data block \(number)"
            let read = readBlock(handle, name: name, limit: footerStart)
            let entries = read ?? []
            if read?.isEmpty == true {
                findings.append(TableFinding(.emptyDataBlock, at: handle.offset, "\(name) holds no entries"))
            }
            checkSeparator(separator, previous: previousSeparator, entries: entries, name: name)
            previousSeparator = separator.key
            records.append(contentsOf: entries)
        }
        checkKeyOrder()
    }

    /// Decodes the footer's two handles, or records why it cannot.
    mutating func readFooter() -> (BlockHandle, BlockHandle)? {
        guard bytes.count >= TableFormat.footerLength else {
            findings.append(TableFinding(.tooShort, at: 0, "file is \(bytes.count) bytes, too short to be an sstable (a footer is 48)"))
            return nil
        }
        let footerStart = bytes.count - TableFormat.footerLength
        let magicOffset = footerStart + TableFormat.footerHandlesLength
        let magic = UInt64(bytes.loadUInt32LE(at: magicOffset)) | UInt64(bytes.loadUInt32LE(at: magicOffset + 4)) << 32
        guard magic == TableFormat.magic else {
            findings.append(TableFinding(.badMagic, at: magicOffset, "not an sstable (bad magic number 0x\(String(magic, radix: 16)))"))
            return nil
        }
        let handles = UnsafeRawBufferPointer(rebasing: bytes[footerStart..<magicOffset])
        do {
            let (metaindex, next) = try BlockHandle.decode(handles, at: 0)
            let (index, end) = try BlockHandle.decode(handles, at: next)
            var canonical: [UInt8] = []
            metaindex.encode(to: &canonical)
            index.encode(to: &canonical)
            if canonical.count != end {
                findings.append(TableFinding(.nonCanonicalHandle, at: footerStart, "footer block handles use overlong varints"))
            }
            if let nonzero = handles[end...].firstIndex(where: { $0 != 0 }) {
                findings.append(TableFinding(.footerPadding, at: footerStart + nonzero, "footer padding holds a non-zero byte"))
            }
            return (metaindex, index)
        } catch {
            findings.append(TableFinding(.badHandle, at: footerStart, "footer block handles cannot be decoded"))
            return nil
        }
    }

    /// Checks a block's range and trailer and decodes its entries; nil when it cannot be read.
    mutating func readBlock(_ handle: BlockHandle, name: String, limit: Int) -> [TableRecord]? {
        guard let end = handle.endIncludingTrailer, end <= limit else {
            findings.append(
                TableFinding(
                    .blockOutOfRange, at: handle.offset,
                    "\(name) (offset \(handle.offset), \(handle.size) bytes + 5) runs past the blocks' end at \(limit): truncated block read"
                ))
            return nil
        }
        let contents = UnsafeRawBufferPointer(rebasing: bytes[handle.offset..<handle.offset + handle.size])
        let typeOffset = handle.offset + handle.size
        let type = bytes[typeOffset]
        let stored = CRC32C.unmask(bytes.loadUInt32LE(at: typeOffset + 1))
        var crc = CRC32C()
        crc.update(contents)
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[typeOffset..<typeOffset + 1]))
        if crc.value != stored {
            findings.append(
                TableFinding(
                    .checksumMismatch, at: typeOffset + 1,
                    "\(name): block checksum mismatch (stored 0x\(hex(stored)), computed 0x\(hex(crc.value)))"))
        }
        switch BlockCompression(rawValue: type) {
        case .none?:
            return BlockDecoder.decode(contents, name: name, locate: { handle.offset + $0 }, findings: &findings)
        case .snappy?:
            do {
                let inflated = try Snappy.decompress(contents)
                return inflated.withUnsafeBytes { raw in
                    BlockDecoder.decode(raw, name: name + " (Snappy)", locate: { _ in handle.offset }, findings: &findings)
                }
            } catch {
                findings.append(TableFinding(.badCompression, at: handle.offset, "\(name): corrupted Snappy contents: \(error.reason)"))
                return nil
            }
        default:
            findings.append(TableFinding(.badBlockType, at: typeOffset, "\(name): bad block type \(type)"))
            return nil
        }
    }

    /// Reports blocks that overlap each other or the footer, and bytes no block covers.
    mutating func checkLayout(footerStart: Int) {
        let extents = blocks.compactMap { block in block.handle.endIncludingTrailer.map { (block, block.handle.offset..<$0) } }
            .filter { $0.1.upperBound <= footerStart }
            .sorted { $0.1.lowerBound < $1.1.lowerBound }
        var covered = 0
        var previous: TableBlock? = nil
        for (block, range) in extents {
            if range.lowerBound < covered, let previous {
                findings.append(TableFinding(.blockOverlap, at: range.lowerBound, "\(block.name) overlaps \(previous.name)"))
            } else if range.lowerBound > covered {
                findings.append(
                    TableFinding(.blockGap, at: covered, "\(range.lowerBound - covered) bytes before \(block.name) belong to no block"))
                unclaimedBytes += range.lowerBound - covered
            }
            if range.upperBound > covered {
                covered = range.upperBound
                previous = block
            }
        }
        if covered < footerStart {
            findings.append(TableFinding(.blockGap, at: covered, "\(footerStart - covered) bytes before the footer belong to no block"))
            unclaimedBytes += footerStart - covered
        }
    }

    /// Checks that an index key separates its block from the next: last key ≤ separator, and
    /// the previous separator < first key.
    mutating func checkSeparator(_ separator: TableRecord, previous: [UInt8]?, entries: [TableRecord], name: String) {
        if let last = entries.last, separator.key.lexicographicallyPrecedes(last.key) {
            findings.append(
                TableFinding(
                    .badSeparator, at: separator.offset,
                    "index key \(KeyText.escape(separator.key)) sorts before the last key \(KeyText.escape(last.key)) of \(name)"))
        }
        if let previous, let first = entries.first, !previous.lexicographicallyPrecedes(first.key) {
            findings.append(
                TableFinding(
                    .badSeparator, at: separator.offset,
                    "the previous index key \(KeyText.escape(previous)) does not sort before the first key \(KeyText.escape(first.key)) of \(name)"
                ))
        }
    }

    /// Reports every key that is not strictly greater than the key before it.
    mutating func checkKeyOrder() {
        for (previous, record) in zip(records, records.dropFirst()) {
            if previous.key == record.key {
                findings.append(TableFinding(.duplicateKey, at: record.offset, "duplicate key \(KeyText.escape(record.key))"))
            } else if !previous.key.lexicographicallyPrecedes(record.key) {
                findings.append(
                    TableFinding(
                        .unsortedKeys, at: record.offset,
                        "key \(KeyText.escape(record.key)) sorts before the key before it, \(KeyText.escape(previous.key))"))
            }
        }
    }

    private func hex(_ value: UInt32) -> String {
        String(value, radix: 16)
    }
}
