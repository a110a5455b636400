import TensorBundle

/// Our reader's view of a bundle against TensorFlow's view of it.
public enum BundleComparison {
    /// What our reader lists and returns for `bundle`, in TensorFlow's terms: names, dtype
    /// names, shapes and value digests (nil for variants, whose values TensorFlow's Python
    /// reader cannot return).
    public static func view(_ bundle: CheckpointBundle) throws -> [Fixtures.Variable] {
        try bundle.summaries.map { summary in
            let value = try bundle.value(forKey: summary.key)
            return Fixtures.Variable(
                name: summary.name, dtype: summary.dtype.name, shape: summary.shape.dimensions,
                digest: summary.dtype == .variant ? nil : Fixtures.digest(value))
        }
    }

    /// Rewrites `original` with our writer at `prefix`, tensors in their original data order,
    /// slices through ``BundleWriter/addSlice(_:dtype:fullShape:slice:bytes:shard:)``.
    public static func rewrite(_ original: CheckpointBundle, to prefix: String) throws {
        let shardCount = original.header!.numShards
        var writer = try BundleWriter(prefix: prefix, shardCount: shardCount)
        let stored = try original.records.map { ($0, try $0.entry.get()) }
            .filter { !$0.1.isPartitioned }
            .sorted { ($0.1.shardID, $0.1.offset, $0.1.size) < ($1.1.shardID, $1.1.offset, $1.1.size) }
        for (record, entry) in stored {
            if let (name, slice) = SliceKey.decode(record.key), let full = try? original.entry(forKey: name), full.isPartitioned {
                let bytes = try original.withStoredBytes(of: entry, key: record.key) { Array($0) }
                try writer.addSlice(name, dtype: entry.dtype, fullShape: full.shape, slice: slice, bytes: bytes, shard: entry.shardID)
                continue
            }
            switch try original.value(forKey: record.key).contents {
            case .fixed(let bytes):
                try writer.add(record.key, dtype: entry.dtype, shape: entry.shape, bytes: bytes, shard: entry.shardID)
            case .strings(let strings):
                try writer.add(record.key, strings: strings, shape: entry.shape, shard: entry.shardID)
            case .variants(let payloads):
                try writer.add(record.key, variants: payloads, shape: entry.shape, shard: entry.shardID)
            }
        }
        try writer.finish()
    }

    /// The files of the bundle at `prefix` with `shardCount` shards: the index, then the shards.
    public static func files(prefix: String, shardCount: Int64) -> [String] {
        [BundleFiles.index(prefix: prefix)] + (0..<shardCount).map { BundleFiles.data(prefix: prefix, shard: $0, of: shardCount) }
    }
}
