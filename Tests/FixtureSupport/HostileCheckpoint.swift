import Foundation
import SSTable
import TensorBundle
import Testing

/// A copy of a real checkpoint whose `.index` is rewritten with well-formed framing (valid
/// block CRCs, sorted keys) around records that hold extreme or contradictory values, the way a
/// hand-edited or hostile file would.
public struct HostileCheckpoint {
    /// How to change the source checkpoint's records.
    public struct Edit: Sendable, CustomStringConvertible {
        public let description: String
        let header: @Sendable (inout BundleHeader) -> Void
        let entry: @Sendable (_ key: [UInt8], inout BundleEntry) -> Void

        /// Changes the header record.
        public static func header(_ description: String, _ edit: @escaping @Sendable (inout BundleHeader) -> Void) -> Edit {
            Edit(description: description, header: edit, entry: { _, _ in })
        }

        /// Changes the entry of the record whose (display) name is `name`.
        public static func entry(_ description: String, named name: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Edit
        {
            Edit(
                description: description, header: { _ in },
                entry: { key, entry in if CheckpointBundle.displayName(key) == name { edit(&entry) } })
        }

        /// Changes the entry of every slice record (keys that start with byte 0).
        public static func sliceRecords(_ description: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Edit {
            Edit(description: description, header: { _ in }, entry: { key, entry in if key.first == 0 { edit(&entry) } })
        }

        /// Changes the full-tensor record of every partitioned variable.
        public static func partitioned(_ description: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Edit {
            Edit(description: description, header: { _ in }, entry: { _, entry in if entry.isPartitioned { edit(&entry) } })
        }
    }

    /// Copies the checkpoint at `source` (its index, data files and any `.meta`) into
    /// `directory` with its index rewritten by `edit`; returns the copy's prefix.
    public static func make(from source: String, in directory: String, edit: Edit) throws -> String {
        let bundle = try CheckpointBundle(prefix: source)
        let name = URL(fileURLWithPath: source).lastPathComponent
        let sourceDirectory = URL(fileURLWithPath: source).deletingLastPathComponent().path
        for file in try FileManager.default.contentsOfDirectory(atPath: sourceDirectory)
        where file.hasPrefix(name + ".data-") || file == name + ".meta" {
            try FileManager.default.copyItem(atPath: sourceDirectory + "/" + file, toPath: directory + "/" + file)
        }
        var header = bundle.header!
        edit.header(&header)
        var options = TableBuilder.Options()
        options.requiresSortedKeys = false
        var table = TableBuilder(options: options)
        try table.add(key: [], value: header.encoded())
        for record in bundle.records {
            var entry = try record.entry.get()
            edit.entry(record.key, &entry)
            try table.add(key: record.key, value: entry.encoded())
        }
        let prefix = directory + "/" + name
        TestFiles.write(table.finish(), to: prefix + ".index")
        return prefix
    }
}

extension HostileCheckpoint {
    static let weights = "optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE"
    static let keras = "tf2_keras_adam/ckpt-1"
    static let partitioned = "partitioned/tf1-partitioned"
    static let zoo = "dtypes/zoo"

    /// A source checkpoint (relative to `Fixtures/`) and how its index is changed.
    public struct Case: Sendable, CustomTestStringConvertible {
        public let source: String
        public let edit: Edit
        public var testDescription: String { "\(source): \(edit)" }
    }

    static func entry(_ description: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Case {
        Case(source: keras, edit: .entry(description, named: weights, edit))
    }

    /// Well-framed indexes whose records hold extreme values: sizes, offsets, dimensions, counts
    /// and shard numbers at and past the limits of their types, overflowing sums, bad dtypes.
    public static let cases: [Case] = [
        entry("size 2^63-1") { $0.size = .max },
        entry("size 2^63-4") { $0.size = .max - 3 },
        entry("size 2^62") { $0.size = 1 << 62 },
        entry("negative size") { $0.size = -4 },
        entry("offset 2^63-1") { $0.offset = .max },
        entry("offset 2^62") { $0.offset = 1 << 62 },
        entry("negative offset") { $0.offset = -1 },
        entry("offset + size overflows") {
            $0.offset = .max - 10; $0.size = 4096
        },
        entry("dimension 2^63-1") { $0.shape = TensorShape([.max]) },
        entry("element count overflows") { $0.shape = TensorShape([1 << 32, 1 << 32]) },
        entry("byte count overflows") {
            $0.shape = TensorShape([1 << 61, 4]); $0.size = .max - 3
        },
        entry("size matching a 2^60-element shape") {
            $0.shape = TensorShape([1 << 30, 1 << 30]); $0.size = 1 << 62
        },
        entry("negative dimension") { $0.shape = TensorShape([-1, 64]) },
        entry("300 dimensions") { $0.shape = TensorShape(Array(repeating: 1, count: 300)) },
        entry("dtype 0") { $0.dtype = DataType(rawValue: 0) },
        entry("resource dtype") { $0.dtype = DataType(rawValue: 20) },
        entry("unknown dtype") { $0.dtype = DataType(rawValue: 9999) },
        entry("shard 2^63-1") { $0.shardID = .max },
        entry("shard -1") { $0.shardID = -1 },
        Case(source: keras, edit: .header("num_shards 2^31") { $0.numShards = 1 << 31 }),
        Case(source: keras, edit: .header("num_shards 2^31-1") { $0.numShards = (1 << 31) - 1 }),
        Case(source: keras, edit: .header("num_shards 0") { $0.numShards = 0 }),
        Case(source: keras, edit: .header("num_shards 2^63-1") { $0.numShards = .max }),
        Case(source: zoo, edit: .entry("string size 2^63-1", named: "string") { $0.size = .max }),
        Case(source: zoo, edit: .entry("string shape 2^62", named: "string") { $0.shape = TensorShape([1 << 62]) }),
        Case(source: zoo, edit: .entry("variant shape 2^40", named: "variant") { $0.shape = TensorShape([1 << 40]) }),
        Case(source: partitioned, edit: .sliceRecords("slice size 2^63-1") { $0.size = .max }),
        Case(source: partitioned, edit: .sliceRecords("slice offset 2^63-1") { $0.offset = .max }),
        Case(
            source: partitioned,
            edit: .partitioned("slice start 2^63-1") { entry in
                entry.slices = entry.slices.map { TensorSlice($0.extents.map { .init(start: .max, length: $0.length) }) }
            }),
        Case(
            source: partitioned,
            edit: .partitioned("slice length 2^63-1") { entry in
                entry.slices = entry.slices.map { TensorSlice($0.extents.map { .init(start: $0.start, length: .max) }) }
            }),
        Case(source: partitioned, edit: .partitioned("partitioned shape 2^62") { $0.shape = TensorShape([1 << 62, 4]) }),
    ]
}
