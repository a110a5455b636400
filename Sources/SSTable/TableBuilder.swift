import BinaryCoding
import Checksums

/// Builds a table byte for byte as TensorFlow's `TableBuilder` does for checkpoint indexes
/// (block size 256 KiB, restart interval 16, no compression, oversized records in their own
/// block, shortest separators in the index).
public struct TableBuilder: Sendable {
    /// How a builder lays out blocks.
    public struct Options: Sendable {
        public var blockSize = TableFormat.defaultBlockSize
        public var restartInterval = TableFormat.defaultRestartInterval
        /// When false, keys are taken in whatever order they come, duplicates included; only
        /// tests that build deliberately malformed tables turn this off.
        public var requiresSortedKeys = true

        public init() {}
    }

    /// A key added out of order (or twice) while the options require sorted keys.
    public struct OrderError: Error, Sendable, CustomStringConvertible {
        public let key: [UInt8]
        public var description: String { "key \(KeyText.escape(key)) is not greater than the key before it" }
    }

    private let options: Options
    private var output: [UInt8] = []
    private var dataBlock: BlockBuilder
    private var indexBlock = BlockBuilder(restartInterval: 1)
    private var lastKey: [UInt8] = []
    private var entryCount = 0
    private var pendingHandle: BlockHandle? = nil

    public init(options: Options = Options()) {
        self.options = options
        self.dataBlock = BlockBuilder(restartInterval: options.restartInterval)
    }

    /// Appends a record.
    public mutating func add(key: [UInt8], value: [UInt8]) throws(OrderError) {
        if options.requiresSortedKeys && entryCount > 0 && !lastKey.lexicographicallyPrecedes(key) {
            throw OrderError(key: key)
        }
        if entryCount > 0 && key.count + value.count >= 2 * options.blockSize && !dataBlock.isEmpty {
            flush()
        }
        if let handle = pendingHandle {
            addIndexEntry(key: Self.shortestSeparator(lastKey, key), handle: handle)
            pendingHandle = nil
        }
        lastKey = key
        entryCount += 1
        dataBlock.add(key: key, value: value)
        if dataBlock.sizeEstimate >= options.blockSize {
            flush()
        }
    }

    /// Finishes the table (remaining data block, empty metaindex, index, footer) and returns its bytes.
    public consuming func finish() -> [UInt8] {
        flush()
        let metaindexHandle = writeBlock(BlockBuilder(restartInterval: options.restartInterval).finish())
        if let handle = pendingHandle {
            addIndexEntry(key: Self.shortSuccessor(lastKey), handle: handle)
        }
        let indexHandle = writeBlock(indexBlock.finish())
        var footer: [UInt8] = []
        metaindexHandle.encode(to: &footer)
        indexHandle.encode(to: &footer)
        footer.append(contentsOf: repeatElement(0, count: TableFormat.footerHandlesLength - footer.count))
        footer.appendUInt32LE(UInt32(truncatingIfNeeded: TableFormat.magic))
        footer.appendUInt32LE(UInt32(truncatingIfNeeded: TableFormat.magic >> 32))
        output.append(contentsOf: footer)
        return output
    }

    private mutating func addIndexEntry(key: [UInt8], handle: BlockHandle) {
        var encoded: [UInt8] = []
        handle.encode(to: &encoded)
        indexBlock.add(key: key, value: encoded)
    }

    private mutating func flush() {
        guard !dataBlock.isEmpty else { return }
        pendingHandle = writeBlock(dataBlock.finish())
        dataBlock.reset()
    }

    /// Appends finished block contents and their trailer (type 0, masked CRC).
    private mutating func writeBlock(_ contents: [UInt8]) -> BlockHandle {
        let handle = BlockHandle(offset: output.count, size: contents.count)
        var crc = CRC32C()
        crc.update(contents)
        crc.update(CollectionOfOne(BlockCompression.none.rawValue))
        output.append(contentsOf: contents)
        output.append(BlockCompression.none.rawValue)
        output.appendUInt32LE(CRC32C.mask(crc.value))
        return handle
    }

    /// A short key `s` with `a ≤ s < b` (LevelDB's `FindShortestSeparator`).
    public static func shortestSeparator(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let common = zip(a, b).prefix(while: { $0 == $1 }).count
        guard common < min(a.count, b.count) else { return a }
        let byte = a[common]
        guard byte < 0xFF && byte + 1 < b[common] else { return a }
        return Array(a[..<common]) + [byte + 1]
    }

    /// A short key `s ≥ key` (LevelDB's `FindShortSuccessor`).
    public static func shortSuccessor(_ key: [UInt8]) -> [UInt8] {
        guard let index = key.firstIndex(where: { $0 != 0xFF }) else { return key }
        return Array(key[..<index]) + [key[index] + 1]
    }
}

/// Builds the contents of one block: prefix-compressed entries, then the restart array.
struct BlockBuilder: Sendable {
    let restartInterval: Int
    private var buffer: [UInt8] = []
    private var restarts: [UInt32] = [0]
    private var counter = 0
    private var lastKey: [UInt8] = []

    init(restartInterval: Int) {
        self.restartInterval = restartInterval
    }

    var isEmpty: Bool { buffer.isEmpty }

    /// The size of the finished block so far, as TensorFlow estimates it.
    var sizeEstimate: Int { buffer.count + 4 * restarts.count + 4 }

    mutating func add(key: [UInt8], value: [UInt8]) {
        var shared = 0
        if counter < restartInterval {
            shared = zip(lastKey, key).prefix(while: { $0 == $1 }).count
        } else {
            restarts.append(UInt32(buffer.count))
            counter = 0
        }
        Varint.append(UInt64(shared), to: &buffer)
        Varint.append(UInt64(key.count - shared), to: &buffer)
        Varint.append(UInt64(value.count), to: &buffer)
        buffer.append(contentsOf: key[shared...])
        buffer.append(contentsOf: value)
        lastKey = key
        counter += 1
    }

    func finish() -> [UInt8] {
        var contents = buffer
        for restart in restarts { contents.appendUInt32LE(restart) }
        contents.appendUInt32LE(UInt32(restarts.count))
        return contents
    }

    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        restarts = [0]
        counter = 0
        lastKey.removeAll()
    }
}
