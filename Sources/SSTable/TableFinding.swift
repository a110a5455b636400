/// One structural problem found in a table, with the byte offset where it is.
public struct TableFinding: Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem. Raw values are stable identifiers for reports.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The file is shorter than a footer.
        case tooShort = "table.too_short"
        /// The last 8 bytes are not the table magic.
        case badMagic = "table.bad_magic"
        /// Non-zero bytes in the footer's padding (TensorFlow never looks at them).
        case footerPadding = "table.footer_padding"
        /// Block handles encoded with more varint bytes than needed (TensorFlow never writes them).
        case nonCanonicalHandle = "table.noncanonical_handle"
        /// A block handle in the footer or the index cannot be decoded.
        case badHandle = "table.bad_handle"
        /// A block (with its trailer) does not lie inside the file before the footer.
        case blockOutOfRange = "block.out_of_range"
        /// Two blocks share bytes.
        case blockOverlap = "block.overlap"
        /// Bytes between blocks that no handle covers (TensorFlow tolerates them).
        case blockGap = "block.gap"
        /// A block's trailer CRC does not match its contents.
        case checksumMismatch = "block.checksum_mismatch"
        /// A compression type other than none (0) or Snappy (1).
        case badBlockType = "block.bad_type"
        /// Snappy-compressed contents that do not decompress.
        case badCompression = "block.bad_compression"
        /// A block too small for its restart array, or with an impossible restart count.
        case badBlockContents = "block.bad_contents"
        /// A restart offset that is out of order, out of range, or not at an entry with no shared prefix.
        case badRestart = "block.bad_restart"
        /// An entry whose varints, key or value do not fit before the restart array.
        case badEntry = "block.bad_entry"
        /// A data block with no entries.
        case emptyDataBlock = "block.empty"
        /// A key not strictly greater than the key before it.
        case unsortedKeys = "keys.unsorted"
        /// The same key twice (TensorFlow silently uses the first).
        case duplicateKey = "keys.duplicate"
        /// An index key that does not separate its block from the next one: lookups miss keys.
        case badSeparator = "index.bad_separator"
        /// The metaindex block holds entries (TensorFlow never writes or reads any).
        case metaindexNotEmpty = "metaindex.not_empty"
    }

    public let code: Code
    /// The byte offset in the table file the problem is at.
    public let offset: Int
    /// One readable line, without the file name.
    public let message: String

    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// Whether TensorFlow still reads the table correctly despite this problem.
    public var isWarning: Bool {
        switch code {
        case .blockGap, .metaindexNotEmpty, .emptyDataBlock, .footerPadding, .nonCanonicalHandle: true
        default: false
        }
    }

    public var description: String { "\(message) (offset \(offset))" }
}
