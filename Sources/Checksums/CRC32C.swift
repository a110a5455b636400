import CISAL

/// CRC-32C (Castagnoli, reflected polynomial `0x82F63B78`), the checksum of TensorFlow's
/// tables and tensor bundles, computed by ISA-L's hardware-accelerated `crc32_iscsi`.
///
/// The value is always the *finalized* CRC of the bytes seen so far, so the CRC of the empty
/// string is 0 and ``update(_:)`` continues a CRC exactly as LevelDB's `Extend` does: feeding
/// bytes in several calls gives the same value as one call over their concatenation.
public struct CRC32C: Sendable, Hashable {
    /// The finalized CRC-32C of every byte passed to ``update(_:)``.
    public private(set) var value: UInt32

    /// ISA-L takes a C `int` length; larger buffers are fed in pieces of this size.
    static let maximumPiece = 1 << 30

    /// Starts a CRC, by default over no bytes yet.
    public init(continuing value: UInt32 = 0) {
        self.value = value
    }

    /// Extends the CRC over `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        var state = ~value
        while remaining > 0 {
            let piece = min(remaining, Self.maximumPiece)
            state = ckpt_crc32_iscsi(cursor, Int32(piece), state)
            cursor += piece
            remaining -= piece
        }
        value = ~state
    }

    /// Extends the CRC over the bytes of `collection`.
    public mutating func update(_ collection: some Collection<UInt8>) {
        if collection.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(collection).withUnsafeBytes { update($0) }
        }
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32C of the bytes of `collection`.
    public static func checksum(_ collection: some Collection<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(collection)
        return crc.value
    }
}
