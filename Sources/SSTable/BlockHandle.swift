import BinaryCoding

/// Where a block lives in a table: its offset and the size of its contents (the 5-byte
/// trailer that follows is not counted).
public struct BlockHandle: Sendable, Hashable {
    public var offset: Int
    public var size: Int

    /// The longest encoding: two 10-byte varints.
    public static let maximumEncodedLength = 20

    public init(offset: Int, size: Int) {
        self.offset = offset
        self.size = size
    }

    /// Decodes a handle at `offset` in `bytes`, returning it and the offset after it.
    /// Values that do not fit an `Int` are rejected as overlong.
    package static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Varint.Failure) -> (BlockHandle, Int) {
        let limit = UInt64(Int.max)
        let (blockOffset, afterOffset) = try Varint.decode(bytes, at: offset, maximumValue: limit)
        let (size, next) = try Varint.decode(bytes, at: afterOffset, maximumValue: limit)
        return (BlockHandle(offset: Int(blockOffset), size: Int(size)), next)
    }

    /// Decodes the handle at the start of `encoded` (trailing bytes are allowed, as
    /// TensorFlow allows them in index values); nil when it cannot be decoded.
    public init?(encoded: [UInt8]) {
        let decoded = encoded.withUnsafeBytes { raw in try? BlockHandle.decode(raw, at: 0) }
        guard let (handle, _) = decoded else { return nil }
        self = handle
    }

    /// Appends the encoding (varint64 offset, varint64 size).
    public func encode(to output: inout [UInt8]) {
        Varint.append(UInt64(offset), to: &output)
        Varint.append(UInt64(size), to: &output)
    }

    /// The end of the block including its trailer, or nil when that overflows.
    public var endIncludingTrailer: Int? {
        let (withSize, overflow1) = offset.addingReportingOverflow(size)
        let (end, overflow2) = withSize.addingReportingOverflow(BlockTrailer.length)
        return overflow1 || overflow2 ? nil : end
    }
}
