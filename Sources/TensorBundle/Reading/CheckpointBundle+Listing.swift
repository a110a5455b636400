import BinaryCoding

/// One variable as a listing shows it (like TensorFlow's `inspect_checkpoint`).
public struct VariableSummary: Sendable, Hashable {
    public let key: [UInt8]
    /// The name for display (escaped when it is not UTF-8).
    public let name: String
    public let dtype: DataType
    public let shape: TensorShape
    /// The shard holding the bytes; nil for a partitioned variable (its slices may be anywhere).
    public let shard: Int64?
    /// The byte offset in the shard; nil for a partitioned variable.
    public let offset: Int64?
    /// Bytes stored: the entry's size, or the sum over a partitioned variable's slices.
    public let size: Int64
    /// The number of elements.
    public let parameters: Int64
    /// How many slices a partitioned variable is stored in (0 when it is not partitioned).
    public let sliceCount: Int
}

extension CheckpointBundle {
    /// The variables as TensorFlow lists them, with their storage; records that do not parse
    /// are left out (a verifier reports them).
    public var summaries: [VariableSummary] {
        variables.compactMap { record in
            guard case .success(let entry) = record.entry else { return nil }
            var size = entry.size
            if entry.isPartitioned {
                // Saturating: hostile slice sizes must not overflow (a verifier reports them).
                size = entry.slices.saturatingSum { slice in
                    let sliceKey = SliceKey.encode(name: record.key, slice: slice)
                    guard case .success(let sliceEntry)? = self.record(forKey: sliceKey)?.entry, sliceEntry.size > 0 else { return 0 }
                    return sliceEntry.size
                }
            }
            return VariableSummary(
                key: record.key, name: record.name, dtype: entry.dtype, shape: entry.shape,
                shard: entry.isPartitioned ? nil : entry.shardID, offset: entry.isPartitioned ? nil : entry.offset,
                size: size, parameters: entry.shape.elementCount ?? 0, sliceCount: entry.slices.count)
        }
    }
}
