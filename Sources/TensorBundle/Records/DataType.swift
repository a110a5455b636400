import BinaryCoding

/// A TensorFlow `DataType` enum value, known or not.
///
/// Unknown values are representable so that a reader can report them instead of failing
/// (TensorFlow's own reader aborts the process on them).
public struct DataType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// How the elements of a dtype are stored in a data file.
    public enum Storage: Sendable, Hashable {
        /// `size` bytes per element, raw, in the bundle's byte order.
        case fixed(size: Int)
        /// Varint lengths, a length checksum and the bytes (DT_STRING).
        case string
        /// Length-prefixed `VariantTensorDataProto`s with running checksums (DT_VARIANT).
        case variant
        /// Cannot appear in a checkpoint: invalid, resource handles, reference types, unknown.
        case unstorable
    }

    /// What the element bits mean, for numeric decoding.
    public enum Kind: Sendable, Hashable {
        case float, signedInteger, unsignedInteger, complex, bool, string, variant, other
    }

    private struct Info {
        let name: String
        let storage: Storage
        let kind: Kind
    }

    private static let table: [Int32: Info] = [
        1: Info(name: "float32", storage: .fixed(size: 4), kind: .float),
        2: Info(name: "float64", storage: .fixed(size: 8), kind: .float),
        3: Info(name: "int32", storage: .fixed(size: 4), kind: .signedInteger),
        4: Info(name: "uint8", storage: .fixed(size: 1), kind: .unsignedInteger),
        5: Info(name: "int16", storage: .fixed(size: 2), kind: .signedInteger),
        6: Info(name: "int8", storage: .fixed(size: 1), kind: .signedInteger),
        7: Info(name: "string", storage: .string, kind: .string),
        8: Info(name: "complex64", storage: .fixed(size: 8), kind: .complex),
        9: Info(name: "int64", storage: .fixed(size: 8), kind: .signedInteger),
        10: Info(name: "bool", storage: .fixed(size: 1), kind: .bool),
        11: Info(name: "qint8", storage: .fixed(size: 1), kind: .signedInteger),
        12: Info(name: "quint8", storage: .fixed(size: 1), kind: .unsignedInteger),
        13: Info(name: "qint32", storage: .fixed(size: 4), kind: .signedInteger),
        14: Info(name: "bfloat16", storage: .fixed(size: 2), kind: .float),
        15: Info(name: "qint16", storage: .fixed(size: 2), kind: .signedInteger),
        16: Info(name: "quint16", storage: .fixed(size: 2), kind: .unsignedInteger),
        17: Info(name: "uint16", storage: .fixed(size: 2), kind: .unsignedInteger),
        18: Info(name: "complex128", storage: .fixed(size: 16), kind: .complex),
        19: Info(name: "float16", storage: .fixed(size: 2), kind: .float),
        20: Info(name: "resource", storage: .unstorable, kind: .other),
        21: Info(name: "variant", storage: .variant, kind: .variant),
        22: Info(name: "uint32", storage: .fixed(size: 4), kind: .unsignedInteger),
        23: Info(name: "uint64", storage: .fixed(size: 8), kind: .unsignedInteger),
        24: Info(name: "float8_e5m2", storage: .fixed(size: 1), kind: .float),
        25: Info(name: "float8_e4m3fn", storage: .fixed(size: 1), kind: .float),
        26: Info(name: "float8_e4m3fnuz", storage: .fixed(size: 1), kind: .float),
        27: Info(name: "float8_e4m3b11fnuz", storage: .fixed(size: 1), kind: .float),
        28: Info(name: "float8_e5m2fnuz", storage: .fixed(size: 1), kind: .float),
        29: Info(name: "int4", storage: .fixed(size: 1), kind: .signedInteger),
        30: Info(name: "uint4", storage: .fixed(size: 1), kind: .unsignedInteger),
        31: Info(name: "int2", storage: .fixed(size: 1), kind: .signedInteger),
        32: Info(name: "uint2", storage: .fixed(size: 1), kind: .unsignedInteger),
        33: Info(name: "float4_e2m1fn", storage: .fixed(size: 1), kind: .float),
    ]

    /// Every dtype this reader knows, in enum order.
    public static let known: [DataType] = table.keys.sorted().map(DataType.init(rawValue:))

    /// Whether this is a graph-only reference type (`*_REF`, base + 100).
    public var isReference: Bool { rawValue > 100 && Self.table[rawValue - 100] != nil }

    /// The storage rule for this dtype in a checkpoint.
    public var storage: Storage { isReference ? .unstorable : Self.table[rawValue]?.storage ?? .unstorable }

    /// The element meaning.
    public var kind: Kind { Self.table[rawValue]?.kind ?? .other }

    /// Bytes per element for fixed-size dtypes, nil otherwise.
    public var elementSize: Int? {
        if case .fixed(let size) = storage { size } else { nil }
    }

    /// TensorFlow's Python name (`float32`, `bfloat16`, `float8_e4m3fn`, …), `float32_ref` for
    /// reference types, or `dtype(N)` when unknown.
    public var name: String {
        if let info = Self.table[rawValue] { return info.name }
        if isReference, let base = Self.table[rawValue - 100] { return base.name + "_ref" }
        return "dtype(\(rawValue))"
    }

    /// The dtype whose ``name`` is `name`, if any.
    public init?(name: String) {
        guard let match = Self.table.first(where: { $0.value.name == name }) else { return nil }
        self.init(rawValue: match.key)
    }

    public var description: String { name }

    public static let invalid = DataType(rawValue: 0)
    public static let float32 = DataType(rawValue: 1)
    public static let float64 = DataType(rawValue: 2)
    public static let int32 = DataType(rawValue: 3)
    public static let uint8 = DataType(rawValue: 4)
    public static let int8 = DataType(rawValue: 6)
    public static let string = DataType(rawValue: 7)
    public static let int64 = DataType(rawValue: 9)
    public static let bool = DataType(rawValue: 10)
    public static let bfloat16 = DataType(rawValue: 14)
    public static let float16 = DataType(rawValue: 19)
    public static let resource = DataType(rawValue: 20)
    public static let variant = DataType(rawValue: 21)
}
