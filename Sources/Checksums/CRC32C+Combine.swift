extension CRC32C {
    /// The CRC-32C of the concatenation `A ‖ B`, from `crcA = CRC(A)`, `crcB = CRC(B)` and the
    /// length of `B`, in O(log lengthB) time.
    ///
    /// This lets independent workers checksum pieces of one tensor in parallel and combine the
    /// results into the tensor's CRC. Appending `lengthB` bytes multiplies the CRC polynomial by
    /// x^(8·lengthB) modulo the Castagnoli polynomial; the powers x^(2^k) are precomputed.
    public static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthB: Int) -> UInt32 {
        precondition(lengthB >= 0, "a length cannot be negative")
        return multiplyModP(powerOfXTimes8(lengthB), crcA) ^ crcB
    }

    /// The reflected Castagnoli polynomial.
    private static let polynomial: UInt32 = 0x82F6_3B78

    /// `x^(2^k) mod P` for k in 0..<67 (enough for any 64-bit length times 8), in reflected
    /// bit order (x^0 is the top bit).
    private static let powersOfX: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 67)
        var power: UInt32 = 1 << 30  // x^1
        for k in table.indices {
            table[k] = power
            power = multiplyModP(power, power)
        }
        return table
    }()

    /// `a · b mod P` in reflected representation.
    private static func multiplyModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        guard a != 0 else { return 0 }
        var b = b
        var product: UInt32 = 0
        var bit: UInt32 = 1 << 31
        while true {
            if a & bit != 0 {
                product ^= b
                if a & (bit - 1) == 0 { break }
            }
            bit >>= 1
            b = b & 1 != 0 ? (b >> 1) ^ polynomial : b >> 1
        }
        return product
    }

    /// `x^(8·n) mod P`.
    private static func powerOfXTimes8(_ n: Int) -> UInt32 {
        var result: UInt32 = 1 << 31  // x^0
        var exponent = UInt64(n)
        var k = 3  // x^(8n) = x^(n·2^3)
        while exponent != 0 {
            if exponent & 1 != 0 { result = multiplyModP(powersOfX[k], result) }
            exponent >>= 1
            k += 1
        }
        return result
    }
}
