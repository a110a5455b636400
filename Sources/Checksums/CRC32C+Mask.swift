extension CRC32C {
    /// The constant LevelDB and TensorFlow add when they mask a stored CRC.
    public static let maskDelta: UInt32 = 0xA282_EAD8

    /// Masks a CRC the way every CRC stored in a checkpoint is masked
    /// (`rotr32(crc, 15) &+ 0xA282EAD8`), so that a CRC of data holding CRCs stays strong.
    @inlinable
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc &>> 15) | (crc &<< 17)) &+ maskDelta
    }

    /// Undoes ``mask(_:)``.
    @inlinable
    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- maskDelta
        return (rotated &>> 17) | (rotated &<< 15)
    }
}
