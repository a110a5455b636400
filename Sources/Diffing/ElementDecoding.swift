import TensorBundle

/// Reads element `index` of a raw little-endian buffer as a Double, exactly.
protocol ElementDecoder {
    func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func load<T: FixedWidthInteger>(_: T.Type, element index: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }
}

struct Float32Decoder: ElementDecoder {
    @inline(__always) func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        Double(Float(bitPattern: bytes.load(UInt32.self, element: index)))
    }
}

struct Float64Decoder: ElementDecoder {
    @inline(__always) func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        Double(bitPattern: bytes.load(UInt64.self, element: index))
    }
}

struct BFloat16Decoder: ElementDecoder {
    @inline(__always) func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        Double(Float(bitPattern: UInt32(bytes.load(UInt16.self, element: index)) << 16))
    }
}

/// IEEE binary16 through a 65536-entry table.
struct Float16Decoder: ElementDecoder {
    static let table = MiniFloat.half.table

    let table = Float16Decoder.table

    @inline(__always) func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        table[Int(bytes.load(UInt16.self, element: index))]
    }
}

/// Signed and unsigned integers of every width, and the quantized types (plain integers on disk).
struct IntegerDecoder<T: FixedWidthInteger>: ElementDecoder {
    @inline(__always) func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        Double(bytes.load(T.self, element: index))
    }
}

/// One-byte types decoded through a 256-entry table (float8, float4, int4, int2 and their
/// unsigned forms: one element per byte, value in the low bits).
struct ByteTableDecoder: ElementDecoder {
    let table: [Double]

    @inline(__always) func value(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Double {
        table[Int(bytes[index])]
    }
}

/// Work done with a numeric element kind's decoder: a generic method, so that the loop over
/// elements is specialized for each decoder.
protocol ElementVisitor {
    associatedtype Result
    func visit<Decoder: ElementDecoder>(_ decoder: Decoder, stride: Int) -> Result
}

/// How a dtype's elements are compared.
enum ElementKind {
    case float32, float64, bfloat16, float16
    case integer(signed: Bool, bytes: Int)
    case byteTable([Double])
    /// Compared byte-wise per element (bool: truth value).
    case bool
    /// Strings and variants: compared element by element after decoding.
    case opaque

    init?(_ dtype: DataType) {
        switch dtype.name {
        case "float32", "complex64": self = .float32
        case "float64", "complex128": self = .float64
        case "bfloat16": self = .bfloat16
        case "float16": self = .float16
        case "int8", "qint8": self = .integer(signed: true, bytes: 1)
        case "uint8", "quint8": self = .integer(signed: false, bytes: 1)
        case "int16", "qint16": self = .integer(signed: true, bytes: 2)
        case "uint16", "quint16": self = .integer(signed: false, bytes: 2)
        case "int32", "qint32": self = .integer(signed: true, bytes: 4)
        case "uint32": self = .integer(signed: false, bytes: 4)
        case "int64": self = .integer(signed: true, bytes: 8)
        case "uint64": self = .integer(signed: false, bytes: 8)
        case "bool": self = .bool
        case "string", "variant": self = .opaque
        default:
            guard let table = MiniFloat.byteTable(for: dtype.name) else { return nil }
            self = .byteTable(table)
        }
    }

    /// Runs `visitor` with this kind's decoder and stride; nil for bool and opaque elements,
    /// which are not decoded to numbers.
    @inline(__always)
    func accept<Visitor: ElementVisitor>(_ visitor: Visitor) -> Visitor.Result? {
        switch self {
        case .float32: visitor.visit(Float32Decoder(), stride: 4)
        case .float64: visitor.visit(Float64Decoder(), stride: 8)
        case .bfloat16: visitor.visit(BFloat16Decoder(), stride: 2)
        case .float16: visitor.visit(Float16Decoder(), stride: 2)
        case .byteTable(let table): visitor.visit(ByteTableDecoder(table: table), stride: 1)
        case .integer(true, 1): visitor.visit(IntegerDecoder<Int8>(), stride: 1)
        case .integer(false, 1): visitor.visit(IntegerDecoder<UInt8>(), stride: 1)
        case .integer(true, 2): visitor.visit(IntegerDecoder<Int16>(), stride: 2)
        case .integer(false, 2): visitor.visit(IntegerDecoder<UInt16>(), stride: 2)
        case .integer(true, 4): visitor.visit(IntegerDecoder<Int32>(), stride: 4)
        case .integer(false, 4): visitor.visit(IntegerDecoder<UInt32>(), stride: 4)
        case .integer(true, _): visitor.visit(IntegerDecoder<Int64>(), stride: 8)
        case .integer(false, _): visitor.visit(IntegerDecoder<UInt64>(), stride: 8)
        case .bool, .opaque: nil
        }
    }

    /// Bytes per compared value (a complex element is two values).
    var stride: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        case .bfloat16, .float16: 2
        case .integer(_, let bytes): bytes
        case .byteTable, .bool: 1
        case .opaque: 0
        }
    }
}
