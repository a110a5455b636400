/// Small floating-point formats, decoded exactly into Double through lookup tables.
struct MiniFloat {
    let exponentBits: Int
    let mantissaBits: Int
    let bias: Int
    /// How the format spells infinities and NaN.
    enum Specials {
        /// IEEE: all-ones exponent is Inf (mantissa 0) or NaN.
        case ieee
        /// "fn": no infinities; all-ones exponent and mantissa is NaN.
        case finiteAllOnesNaN
        /// "fnuz": no infinities, no negative zero; the pattern of -0 is the only NaN.
        case finiteNegativeZeroNaN
        /// No infinities and no NaN at all.
        case finite
    }
    let specials: Specials

    static let half = MiniFloat(exponentBits: 5, mantissaBits: 10, bias: 15, specials: .ieee)
    static let e5m2 = MiniFloat(exponentBits: 5, mantissaBits: 2, bias: 15, specials: .ieee)
    static let e4m3fn = MiniFloat(exponentBits: 4, mantissaBits: 3, bias: 7, specials: .finiteAllOnesNaN)
    static let e4m3fnuz = MiniFloat(exponentBits: 4, mantissaBits: 3, bias: 8, specials: .finiteNegativeZeroNaN)
    static let e4m3b11fnuz = MiniFloat(exponentBits: 4, mantissaBits: 3, bias: 11, specials: .finiteNegativeZeroNaN)
    static let e5m2fnuz = MiniFloat(exponentBits: 5, mantissaBits: 2, bias: 16, specials: .finiteNegativeZeroNaN)
    static let e2m1fn = MiniFloat(exponentBits: 2, mantissaBits: 1, bias: 1, specials: .finite)

    /// The value of bit pattern `bits` (sign, exponent, mantissa in the low bits).
    func value(_ bits: Int) -> Double {
        let width = 1 + exponentBits + mantissaBits
        let sign = (bits >> (width - 1)) & 1
        let exponent = (bits >> mantissaBits) & ((1 << exponentBits) - 1)
        let mantissa = bits & ((1 << mantissaBits) - 1)
        let allOnes = (1 << exponentBits) - 1
        switch specials {
        case .ieee where exponent == allOnes:
            return mantissa == 0 ? (sign == 1 ? -.infinity : .infinity) : .nan
        case .finiteAllOnesNaN where exponent == allOnes && mantissa == (1 << mantissaBits) - 1:
            return .nan
        case .finiteNegativeZeroNaN where sign == 1 && exponent == 0 && mantissa == 0:
            return .nan
        default:
            break
        }
        let fraction = Double(mantissa) / Double(1 << mantissaBits)
        let magnitude =
            exponent == 0
            ? fraction * Self.power(1 - bias)
            : (1 + fraction) * Self.power(exponent - bias)
        return sign == 1 ? -magnitude : magnitude
    }

    /// 2^exponent, exactly.
    private static func power(_ exponent: Int) -> Double {
        Double(sign: .plus, exponent: exponent, significand: 1)
    }

    /// Every value of a 16-bit format.
    var table: [Double] { (0..<(1 << (1 + exponentBits + mantissaBits))).map(value) }

    /// The 256-entry table of a one-byte dtype, by TensorFlow name (nil for other dtypes).
    static func byteTable(for name: String) -> [Double]? {
        switch name {
        case "float8_e5m2": return e5m2.table
        case "float8_e4m3fn": return e4m3fn.table
        case "float8_e4m3fnuz": return e4m3fnuz.table
        case "float8_e4m3b11fnuz": return e4m3b11fnuz.table
        case "float8_e5m2fnuz": return e5m2fnuz.table
        case "float4_e2m1fn": return (0..<256).map { e2m1fn.value($0 & 0xF) }
        case "int4": return (0..<256).map { Double(Int8(truncatingIfNeeded: UInt8($0 & 0xF) << 4) >> 4) }
        case "uint4": return (0..<256).map { Double($0 & 0xF) }
        case "int2": return (0..<256).map { Double(Int8(truncatingIfNeeded: UInt8($0 & 0x3) << 6) >> 6) }
        case "uint2": return (0..<256).map { Double($0 & 0x3) }
        default: return nil
        }
    }
}
