import TensorBundle

/// One entry that owns bytes in a data file: a whole tensor, or one slice of a partitioned
/// variable, with the listed variable it belongs to.
struct StoredPart: Sendable {
    let key: [UInt8]
    let entry: BundleEntry
    /// The index of the listed variable in the report's tensors.
    let variable: Int
    /// How findings name it: the variable's name, with the slice for a slice record.
    let label: String

    /// The byte range in its shard.
    var range: Range<Int64> { entry.offset..<(entry.offset + entry.size) }
}
