/// One key/value entry of a table, copied out of its block.
public struct TableRecord: Sendable, Hashable {
    /// The full key (prefix compression undone).
    public let key: [UInt8]
    /// The value bytes.
    public let value: [UInt8]
    /// The byte offset of the entry in the table file (for a Snappy block, the block's offset).
    public let offset: Int

    public init(key: [UInt8], value: [UInt8], offset: Int) {
        self.key = key
        self.value = value
        self.offset = offset
    }
}
