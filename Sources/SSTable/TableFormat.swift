/// Constants of the table format.
public enum TableFormat {
    /// The footer occupies the last 48 bytes of every table.
    public static let footerLength = 48
    /// The two handles are padded to this many bytes; the magic number follows.
    public static let footerHandlesLength = 40
    /// `0xdb4775248b80fb57`, the LevelDB table magic, stored little-endian at the very end.
    public static let magic: UInt64 = 0xDB47_7524_8B80_FB57
    /// The data block size TensorFlow's checkpoint writer uses.
    public static let defaultBlockSize = 262_144
    /// The restart interval TensorFlow's checkpoint writer uses for data blocks.
    public static let defaultRestartInterval = 16
}

/// The 5 bytes after every block: a compression type and a masked CRC-32C.
public enum BlockTrailer {
    public static let length = 5
}

/// How a block's contents are stored.
public enum BlockCompression: UInt8, Sendable {
    case none = 0
    case snappy = 1
}
