import Checksums
import MappedIO
import SSTable

extension CheckpointBundle {
    /// Where the stored bytes of a non-partitioned `entry` lie: its data file's path and the
    /// byte range in it, after checking that the shard is opened and the range lies inside it.
    public func storedRange(of entry: BundleEntry, key: [UInt8]) throws(TensorError) -> (path: String, file: DataFile, range: Range<Int>) {
        guard !entry.isPartitioned else { throw TensorError(.unsupported, key: key, "a partitioned tensor has no bytes of its own") }
        guard let count = header?.numShards, entry.shardID >= 0, entry.shardID < count else {
            throw TensorError(.badShard, key: key, "shard \(entry.shardID) is outside the header's \(header?.numShards ?? 0) shards")
        }
        guard entry.offset >= 0, entry.size >= 0 else {
            throw TensorError(.negativeOffset, key: key, "negative offset \(entry.offset) or size \(entry.size)")
        }
        let path = BundleFiles.data(prefix: dataPrefix, shard: entry.shardID, of: count)
        guard let shard = shards[entry.shardID] else { throw TensorError(.missingShard, key: key, "\(path) was not opened") }
        let file: DataFile
        switch shard {
        case .success(let opened): file = opened
        case .failure(let error): throw TensorError(.missingShard, key: key, "\(path): \(error.cause)")
        }
        let (end, overflow) = entry.offset.addingReportingOverflow(entry.size)
        guard !overflow, end <= Int64(file.count) else {
            throw TensorError(
                .pastEndOfFile, key: key,
                "bytes \(entry.offset)..<\(overflow ? "overflow" : String(end)) lie past the end of \(path) (\(file.count) bytes)")
        }
        return (path, file, Int(entry.offset)..<Int(end))
    }

    /// Lends the stored bytes of a non-partitioned `entry` (`[offset, offset + size)` of its
    /// shard, or the `subrange` of them) to `body`, without copying, after checking that they
    /// exist.
    ///
    /// Nothing is decoded or checksummed here. The bytes must not escape `body`. With
    /// `evictAfterUse`, the pages are released from this process once `body` returns (they stay
    /// in the page cache), which keeps a pass over a huge checkpoint at a bounded resident size.
    public func withStoredBytes<Result>(
        of entry: BundleEntry, key: [UInt8], subrange: Range<Int>? = nil, evictAfterUse: Bool = false,
        _ body: (UnsafeRawBufferPointer) throws(TensorError) -> Result
    ) throws(TensorError) -> Result {
        let (path, data, whole) = try storedRange(of: entry, key: key)
        guard let file = data.mapped else {
            throw TensorError(.missingShard, key: key, "\(path) is remote: its bytes are streamed, not mapped")
        }
        let range = subrange.map { (whole.lowerBound + $0.lowerBound)..<(whole.lowerBound + $0.upperBound) } ?? whole
        precondition(range.lowerBound >= whole.lowerBound && range.upperBound <= whole.upperBound, "subrange outside the tensor")
        defer { if evictAfterUse { file.evict(range) } }
        return try file.withUnsafeBytes { (raw) throws(TensorError) in
            try body(UnsafeRawBufferPointer(rebasing: raw[range]))
        }
    }

    /// The value of the tensor under `key`, checked as TensorFlow checks it on restore (size,
    /// string and variant checksums, the entry CRC) and assembled from its slices when it is
    /// partitioned.
    public func value(forKey key: [UInt8]) throws(TensorError) -> TensorValue {
        let entry = try entry(forKey: key)
        try Self.validate(entry, key: key)
        if entry.isPartitioned { return try assemble(entry, key: key) }
        return try withStoredBytes(of: entry, key: key) { (bytes) throws(TensorError) in
            try Self.decode(entry, key: key, bytes)
        }
    }

    /// The value of a non-partitioned `entry` from its stored `bytes` (read by the caller, as from
    /// a remote data file), checked as ``value(forKey:)`` checks it.
    public static func value(
        of entry: BundleEntry, key: [UInt8], storedBytes bytes: UnsafeRawBufferPointer
    ) throws(TensorError) -> TensorValue {
        try validate(entry, key: key)
        guard !entry.isPartitioned else { throw TensorError(.unsupported, key: key, "a partitioned tensor has no bytes of its own") }
        guard bytes.count == Int(entry.size) else {
            throw TensorError(.sizeMismatch, key: key, "\(bytes.count) bytes read, \(entry.size) stored")
        }
        return try decode(entry, key: key, bytes)
    }

    /// Checks what can be checked of an entry without its bytes: a storable dtype, a valid
    /// shape and, for fixed-size dtypes, the exact size.
    public static func validate(_ entry: BundleEntry, key: [UInt8]) throws(TensorError) {
        guard entry.dtype.storage != .unstorable else {
            throw TensorError(.unstorableDType, key: key, "dtype \(entry.dtype) cannot be stored in a checkpoint")
        }
        if let invalidity = entry.shape.invalidity {
            throw TensorError(.invalidShape, key: key, "invalid shape \(entry.shape): \(invalidity)")
        }
        guard !entry.isPartitioned, let count = entry.shape.elementCount else { return }
        switch entry.dtype.storage {
        case .fixed(let size):
            let (expected, overflow) = count.multipliedReportingOverflow(by: Int64(size))
            guard !overflow, entry.size == expected else {
                throw TensorError(
                    .sizeMismatch, key: key, "stored size \(entry.size), expected \(overflow ? "overflow" : String(expected))")
            }
        case .string:
            guard entry.size >= count else {
                throw TensorError(.sizeMismatch, key: key, "stored size \(entry.size), expected at least \(count)")
            }
        case .variant:
            // Each element takes a length varint and a 4-byte checksum at least.
            guard entry.size / 5 >= count else {
                throw TensorError(
                    .sizeMismatch, key: key, "stored size \(entry.size) cannot hold \(count) variant elements (5 bytes each at least)")
            }
        case .unstorable:
            break
        }
    }

    /// Decodes the stored bytes of a validated, non-partitioned entry and checks its CRC.
    static func decode(_ entry: BundleEntry, key: [UInt8], _ bytes: UnsafeRawBufferPointer) throws(TensorError) -> TensorValue {
        let count = Int(entry.shape.elementCount ?? 0)
        let contents: TensorValue.Contents
        let crc: UInt32
        do {
            switch entry.dtype.storage {
            case .string:
                let decoded = try StringEncoding.decode(bytes, count: count)
                (contents, crc) = (.strings(decoded.strings), decoded.crc)
            case .variant:
                let decoded = try VariantEncoding.decode(bytes, count: count)
                (contents, crc) = (.variants(decoded.payloads), decoded.crc)
            default:
                (contents, crc) = (.fixed(Array(bytes)), CRC32C.checksum(bytes))
            }
        } catch {
            throw TensorError(error.code, key: key, error.cause)
        }
        try checkCRC(crc, of: entry, key: key)
        return TensorValue(dtype: entry.dtype, shape: entry.shape, contents: contents)
    }

    /// Checks the stored bytes of a validated, non-partitioned entry as ``value(forKey:)``
    /// does, without keeping the decoded value.
    public static func check(_ entry: BundleEntry, key: [UInt8], _ bytes: UnsafeRawBufferPointer) throws(TensorError) {
        if entry.dtype.elementSize != nil {
            try checkCRC(CRC32C.checksum(bytes), of: entry, key: key)
        } else {
            _ = try decode(entry, key: key, bytes)
        }
    }

    /// Compares a computed (unmasked) CRC with the one `entry` stores.
    public static func checkCRC(_ crc: UInt32, of entry: BundleEntry, key: [UInt8]) throws(TensorError) {
        let stored = CRC32C.unmask(entry.crc32c)
        guard crc == stored else {
            throw TensorError(.checksumMismatch, key: key, "checksum does not match (stored \(stored), computed \(crc))")
        }
    }
}
