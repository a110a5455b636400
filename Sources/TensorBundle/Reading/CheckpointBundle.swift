import BinaryCoding
import Checksums
import MappedIO
import SSTable

/// What is wrong with a bundle's header record.
public struct HeaderProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The table holds no records at all.
        case missing = "header.missing"
        /// The first record has a non-empty key (TensorFlow parses it as the header anyway).
        case notFirst = "header.not_first"
        /// The header record is not a `BundleHeaderProto`.
        case unparseable = "header.unparseable"
        /// `num_shards` below 1.
        case badShardCount = "header.bad_shards"
        /// A version TensorFlow refuses to read.
        case refusedVersion = "header.bad_version"
    }

    public let code: Code
    public let message: String

    public var description: String { message }
}

/// One record of a bundle's index other than the header.
public struct BundleRecord: Sendable {
    public let key: [UInt8]
    /// The decoded entry, or why its bytes are not a `BundleEntryProto`.
    public let entry: Result<BundleEntry, ProtoError>
    /// Byte offset of the record in the `.index` file.
    public let offset: Int

    /// The key for display: the text when it is valid UTF-8, escaped otherwise.
    public var name: String { CheckpointBundle.displayName(key) }
}

/// One data file of a bundle: memory-mapped when it is on a local disk, known by its size only
/// when it lives elsewhere (an object store, whose bytes a caller streams itself).
public struct DataFile: Sendable {
    /// The file's length in bytes.
    public let count: Int
    /// The mapping of a local file; nil for a remote one.
    public let mapped: MappedFile?

    public init(mapped: MappedFile) {
        self.count = mapped.count
        self.mapped = mapped
    }

    public init(remoteCount count: Int) {
        self.count = count
        self.mapped = nil
    }
}

/// A checkpoint (tensor bundle) opened for reading: its index decoded and checked, its data
/// shards memory-mapped (or, for a remote checkpoint, known by their sizes).
///
/// Opening never stops at the first problem: structural problems of the table are in
/// ``tableFindings``, header problems in ``headerProblem``, and unreadable shard files in
/// ``shards``. Tensor values are read on demand and checked against their CRCs, as
/// TensorFlow checks them on restore.
public final class CheckpointBundle: Sendable {
    /// The prefix the bundle was opened by.
    public let prefix: String
    /// The prefix of the data files read (the same as ``prefix`` unless told otherwise).
    public let dataPrefix: String
    /// The mapped `.index` file.
    public let indexFile: MappedFile
    /// Every structural problem of the `.index` table.
    public let tableFindings: [TableFinding]
    /// Bytes of the `.index` that no block of its table accounts for.
    public let indexUnclaimedBytes: Int
    /// The decoded header, if there is one that parses.
    public let header: BundleHeader?
    /// Why the header is missing, unparseable or not first; nil when it is fine.
    public let headerProblem: HeaderProblem?
    /// Every record after the header, in file order.
    public let records: [BundleRecord]
    /// The data files that some entry references, by shard id: opened, or why not.
    public let shards: [Int64: Result<DataFile, FileError>]
    private let firstRecordByKey: [[UInt8]: Int]

    /// Opens the bundle at `prefix`: `prefix.index`, and the data files of `dataPrefix`
    /// (by default the same prefix; another one lets a tool test whether an index belongs
    /// with the data files of a different save).
    ///
    /// - Throws: `FileError` when the index file cannot be opened at all; everything short of
    ///   that is reported as findings.
    public convenience init(prefix: String, dataPrefix: String? = nil) throws(FileError) {
        let indexFile = try MappedFile(path: BundleFiles.index(prefix: prefix))
        self.init(prefix: prefix, dataPrefix: dataPrefix ?? prefix, indexFile: indexFile) { path in
            Result { () throws(FileError) in DataFile(mapped: try MappedFile(path: path)) }
        }
    }

    /// A bundle whose index has been read into memory and whose data files live elsewhere:
    /// `dataFileSizes` gives the length of each data file present, by file name
    /// (`ckpt-1.data-00000-of-00001`). Its bytes cannot be lent (``withStoredBytes(of:key:subrange:evictAfterUse:_:)``
    /// throws); callers stream them and check them with ``check(_:key:_:)``.
    public convenience init(prefix: String, indexFile: MappedFile, dataFileSizes: [String: Int]) {
        self.init(prefix: prefix, dataPrefix: prefix, indexFile: indexFile) { path in
            guard let size = dataFileSizes[Path.fileName(of: path)] else {
                return .failure(FileError(code: .notFound, path: path, cause: "No such object"))
            }
            return .success(DataFile(remoteCount: size))
        }
    }

    private init(prefix: String, dataPrefix: String, indexFile: MappedFile, open: (String) -> Result<DataFile, FileError>) {
        let table = indexFile.withUnsafeBytes { Table.read($0) }
        var records = table.records[...]
        var header: BundleHeader? = nil
        var headerProblem: HeaderProblem? = nil
        if let first = records.first {
            if !first.key.isEmpty {
                headerProblem = HeaderProblem(
                    code: .notFirst, message: "the first record is \(KeyText.escape(first.key)), not the header (empty key)")
            } else {
                records = records.dropFirst()
                do {
                    header = try BundleHeader.decode(first.value)
                    if let header, header.numShards < 1 {
                        headerProblem = HeaderProblem(code: .badShardCount, message: "the header says \(header.numShards) shards")
                    } else if let refusal = header?.version?.refusal {
                        headerProblem = HeaderProblem(code: .refusedVersion, message: refusal)
                    }
                } catch {
                    headerProblem = HeaderProblem(code: .unparseable, message: "the header record does not parse: \(error)")
                }
            }
        } else if table.hasIndex {
            headerProblem = HeaderProblem(code: .missing, message: "the table holds no records (no header)")
        }
        let bundleRecords = records.map { record in
            BundleRecord(
                key: record.key, entry: Result { () throws(ProtoError) in try BundleEntry.decode(record.value) }, offset: record.offset)
        }
        var firstRecordByKey: [[UInt8]: Int] = [:]
        for (index, record) in bundleRecords.enumerated() where firstRecordByKey[record.key] == nil {
            firstRecordByKey[record.key] = index
        }
        self.prefix = prefix
        self.dataPrefix = dataPrefix
        self.indexFile = indexFile
        self.tableFindings = table.findings
        self.indexUnclaimedBytes = table.unclaimedBytes
        self.header = header
        self.headerProblem = headerProblem
        self.records = bundleRecords
        self.firstRecordByKey = firstRecordByKey
        self.shards = Self.openShards(prefix: dataPrefix, header: header, records: bundleRecords, open: open)
    }

    /// Opens every data file that a well-formed entry references.
    private static func openShards(
        prefix: String, header: BundleHeader?, records: [BundleRecord], open: (String) -> Result<DataFile, FileError>
    ) -> [Int64: Result<DataFile, FileError>] {
        guard let count = header?.numShards, count >= 1 else { return [:] }
        var shards: [Int64: Result<DataFile, FileError>] = [:]
        for record in records {
            guard case .success(let entry) = record.entry, !entry.isPartitioned,
                entry.shardID >= 0, entry.shardID < count, shards[entry.shardID] == nil
            else { continue }
            let path = BundleFiles.data(prefix: prefix, shard: entry.shardID, of: count)
            shards[entry.shardID] = open(path)
        }
        return shards
    }

    /// The record stored under `key` (the first, when a corrupt table holds it twice).
    public func record(forKey key: [UInt8]) -> BundleRecord? {
        firstRecordByKey[key].map { records[$0] }
    }

    /// The decoded entry under `key`.
    public func entry(forKey key: [UInt8]) throws(TensorError) -> BundleEntry {
        guard let record = record(forKey: key) else { throw TensorError(.notFound, key: key, "not found in the checkpoint") }
        switch record.entry {
        case .success(let entry): return entry
        case .failure(let error): throw TensorError(.unparseableEntry, key: key, "entry does not parse: \(error)")
        }
    }

    /// The tensors as TensorFlow lists them: every record except slice records that a
    /// partitioned tensor's full record claims, in stored order; a key stored twice is listed
    /// once (TensorFlow uses its first record).
    public var variables: [BundleRecord] {
        var claimed = Set<[UInt8]>()
        for record in records {
            guard case .success(let entry) = record.entry else { continue }
            for slice in entry.slices { claimed.insert(SliceKey.encode(name: record.key, slice: slice)) }
        }
        return records.filter { claimed.insert($0.key).inserted }
    }

    /// The key for display: the text when it is valid UTF-8, escaped (in quotes) otherwise.
    public static func displayName(_ key: [UInt8]) -> String {
        if let text = String(validating: key, as: UTF8.self), !text.unicodeScalars.contains(where: \.isControlCharacter) {
            return text
        }
        return KeyText.escape(key)
    }
}
