import BinaryCoding
import Checksums
import MappedIO
import SSTable

/// Why a bundle could not be written, where the writer itself refuses (a file's failure is
/// thrown as its `FileError`).
public struct BundleWriteError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// A tensor key is empty (the empty key is the header's).
        case emptyKey
        /// A tensor key was added twice.
        case duplicateKey
        /// A tensor does not fit its dtype, shape or shard.
        case badTensor
    }

    public let code: Code
    public let cause: String

    init(_ code: Code, _ cause: String) {
        self.code = code
        self.cause = cause
    }

    public var description: String { cause }
}

/// Writes a checkpoint the way TensorFlow's `BundleWriter` does: tensor bytes appended to
/// their shard in the order added, then the sorted index, byte-identical to TensorFlow's
/// output for the same tensors.
///
/// Every file is written under a temporary name and renamed when complete, the data files
/// before the index, so an interrupted write never leaves something that looks like a
/// complete checkpoint. Existing files are replaced only as asked (see ``Replacement``).
public struct BundleWriter {
    public let prefix: String
    public let shardCount: Int64
    private let shards: [OutputFile]
    private var entries: [[UInt8]: BundleEntry] = [:]
    private let replacing: Replacement

    /// Starts a bundle at `prefix` with `shardCount` data files; files already at their paths
    /// are replaced only as `replacing` allows.
    public init(prefix: String, shardCount: Int64 = 1, replacing: Replacement = .never) throws {
        guard shardCount >= 1 else { throw BundleWriteError(.badTensor, "a bundle needs at least one shard") }
        var shards: [OutputFile] = []
        try replacing.check(BundleFiles.index(prefix: prefix))
        for shard in 0..<shardCount {
            shards.append(try OutputFile(path: BundleFiles.data(prefix: prefix, shard: shard, of: shardCount), replacing: replacing))
        }
        self.prefix = prefix
        self.shardCount = shardCount
        self.shards = shards
        self.replacing = replacing
    }

    /// Adds a fixed-size tensor whose raw little-endian element bytes are `bytes`.
    public mutating func add(
        _ key: [UInt8], dtype: DataType, shape: TensorShape, bytes: UnsafeRawBufferPointer, shard: Int64 = 0
    ) throws {
        guard let size = dtype.elementSize, let count = shape.elementCount, Int64(bytes.count) == count * Int64(size) else {
            throw BundleWriteError(.badTensor, "tensor \(KeyText.escape(key)): \(bytes.count) bytes do not hold a \(dtype) \(shape)")
        }
        try append(key, dtype: dtype, shape: shape, encoded: bytes, crc: CRC32C.checksum(bytes), shard: shard)
    }

    /// Adds a string tensor.
    public mutating func add(_ key: [UInt8], strings: [[UInt8]], shape: TensorShape, shard: Int64 = 0) throws {
        try add(key, dtype: .string, elements: strings, shape: shape, shard: shard, encode: StringEncoding.encode)
    }

    /// Adds a variant tensor from serialized `VariantTensorDataProto` payloads.
    public mutating func add(_ key: [UInt8], variants: [[UInt8]], shape: TensorShape, shard: Int64 = 0) throws {
        try add(key, dtype: .variant, elements: variants, shape: shape, shard: shard, encode: VariantEncoding.encode)
    }

    /// Adds a tensor of variable-length elements, encoded by `encode`.
    private mutating func add(
        _ key: [UInt8], dtype: DataType, elements: [[UInt8]], shape: TensorShape, shard: Int64,
        encode: ([[UInt8]]) -> (bytes: [UInt8], crc: UInt32)
    ) throws {
        guard shape.elementCount == Int64(elements.count) else {
            throw BundleWriteError(.badTensor, "tensor \(KeyText.escape(key)): \(elements.count) \(dtype) elements for shape \(shape)")
        }
        let (bytes, crc) = encode(elements)
        try bytes.withUnsafeBytes { raw in
            Result { () throws in try append(key, dtype: dtype, shape: shape, encoded: raw, crc: crc, shard: shard) }
        }.get()
    }

    /// Adds one slice of a partitioned fixed-size tensor of `fullShape`; `bytes` is the slice
    /// as a dense row-major tensor. A slice that covers the whole tensor is stored as a plain
    /// tensor, as TensorFlow stores it.
    public mutating func addSlice(
        _ key: [UInt8], dtype: DataType, fullShape: TensorShape, slice: TensorSlice, bytes: UnsafeRawBufferPointer,
        shard: Int64 = 0
    ) throws {
        let box: [Range<Int64>]
        switch slice.ranges(in: fullShape) {
        case .success(let ranges): box = ranges
        case .failure(let error): throw BundleWriteError(.badTensor, "tensor \(KeyText.escape(key)): \(error.cause)")
        }
        let sliceShape = TensorShape(box.map { Int64($0.count) })
        if sliceShape == fullShape {
            try add(key, dtype: dtype, shape: fullShape, bytes: bytes, shard: shard)
            return
        }
        // TensorFlow's merge gives a full-tensor record the shard of the bundle that first held
        // it, which is the shard of its first slice.
        var full = entries[key] ?? BundleEntry(dtype: dtype, shape: fullShape, shardID: shard)
        guard full.isPartitioned || entries[key] == nil, full.dtype == dtype, full.shape == fullShape else {
            throw BundleWriteError(.duplicateKey, "tensor \(KeyText.escape(key)) was added with another dtype, shape or unsliced")
        }
        let sliceKey = SliceKey.encode(name: key, slice: slice)
        try add(sliceKey, dtype: dtype, shape: sliceShape, bytes: bytes, shard: shard)
        full.slices.append(slice)
        entries[key] = full
    }

    private mutating func append(
        _ key: [UInt8], dtype: DataType, shape: TensorShape, encoded: UnsafeRawBufferPointer, crc: UInt32, shard: Int64
    ) throws {
        guard !key.isEmpty else { throw BundleWriteError(.emptyKey, "a tensor key cannot be empty") }
        guard entries[key] == nil else { throw BundleWriteError(.duplicateKey, "adding duplicate key \(KeyText.escape(key))") }
        guard shard >= 0 && shard < shardCount else {
            throw BundleWriteError(.badTensor, "tensor \(KeyText.escape(key)): shard \(shard) of \(shardCount)")
        }
        let file = shards[Int(shard)]
        let offset = Int64(file.count)
        try file.write(encoded)
        entries[key] = BundleEntry(
            dtype: dtype, shape: shape, shardID: shard, offset: offset, size: Int64(encoded.count), crc32c: CRC32C.mask(crc))
    }

    /// The index as TensorFlow would write it for the tensors added so far.
    public func indexBytes() -> [UInt8] {
        var builder = TableBuilder()
        let header = BundleHeader(numShards: shardCount)
        // Keys are unique and non-empty, so adding in sorted order cannot fail.
        try! builder.add(key: [], value: header.encoded())
        for key in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            try! builder.add(key: key, value: entries[key]!.encoded())
        }
        return builder.finish()
    }

    /// Makes the bundle visible: every data file is flushed and renamed into place, then the
    /// index is written the same way.
    public consuming func finish() throws {
        for shard in shards { try shard.commit() }
        let index = try OutputFile(path: BundleFiles.index(prefix: prefix), replacing: replacing)
        try index.write(indexBytes())
        try index.commit()
    }
}

extension BundleWriter {
    /// Adds a fixed-size tensor from an array of its raw element bytes.
    public mutating func add(_ key: String, dtype: DataType, shape: TensorShape, bytes: [UInt8], shard: Int64 = 0) throws {
        try add(Array(key.utf8), dtype: dtype, shape: shape, bytes: bytes, shard: shard)
    }

    /// Adds a fixed-size tensor from an array of its raw element bytes.
    public mutating func add(_ key: [UInt8], dtype: DataType, shape: TensorShape, bytes: [UInt8], shard: Int64 = 0) throws {
        try bytes.withUnsafeBytes { raw in
            Result { () throws in try add(key, dtype: dtype, shape: shape, bytes: raw, shard: shard) }
        }.get()
    }

    /// Adds one slice of a partitioned tensor from an array of the slice's raw element bytes.
    public mutating func addSlice(
        _ key: [UInt8], dtype: DataType, fullShape: TensorShape, slice: TensorSlice, bytes: [UInt8], shard: Int64 = 0
    ) throws {
        try bytes.withUnsafeBytes { raw in
            Result { () throws in
                try addSlice(key, dtype: dtype, fullShape: fullShape, slice: slice, bytes: raw, shard: shard)
            }
        }.get()
    }
}
