import TensorBundle

/// The elements of a tensor's value, one at a time, decoded exactly: what a tool prints of a
/// tensor or converts it to (bfloat16, float16 and the float8 and float4 family as the values
/// they stand for; int4 and int2 as small integers).
public struct TensorElements: Sendable {
    /// One element.
    public enum Element: Sendable, Hashable {
        /// A floating-point value (every float dtype's values are exact in a Double).
        case float(Double)
        case signed(Int64)
        case unsigned(UInt64)
        /// A complex number: real and imaginary parts.
        case complex(Double, Double)
        case bool(Bool)
        /// A string's (or variant's) bytes.
        case bytes([UInt8])
    }

    public let value: TensorValue
    /// How many elements the value holds.
    public let count: Int

    public init(_ value: TensorValue) {
        self.value = value
        switch value.contents {
        case .fixed(let bytes): count = bytes.count / max(value.dtype.elementSize ?? 1, 1)
        case .strings(let strings), .variants(let strings): count = strings.count
        }
    }

    /// Element `index` (row-major), in `0..<count`.
    public func element(_ index: Int) -> Element {
        switch value.contents {
        case .strings(let strings), .variants(let strings):
            return .bytes(strings[index])
        case .fixed(let bytes):
            return bytes.withUnsafeBytes { raw in Self.decode(raw, index: index, dtype: value.dtype) }
        }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, index: Int, dtype: DataType) -> Element {
        switch ElementKind(dtype) {
        case .float32?:
            guard dtype.kind == .complex else { return .float(Float32Decoder().value(raw, index)) }
            return .complex(Float32Decoder().value(raw, 2 * index), Float32Decoder().value(raw, 2 * index + 1))
        case .float64?:
            guard dtype.kind == .complex else { return .float(Float64Decoder().value(raw, index)) }
            return .complex(Float64Decoder().value(raw, 2 * index), Float64Decoder().value(raw, 2 * index + 1))
        case .bfloat16?: return .float(BFloat16Decoder().value(raw, index))
        case .float16?: return .float(Float16Decoder().value(raw, index))
        case .byteTable(let table)?:
            let number = table[Int(raw[index])]
            switch dtype.kind {
            case .signedInteger: return .signed(Int64(number))
            case .unsignedInteger: return .unsigned(UInt64(number))
            default: return .float(number)
            }
        case .integer(true, 1)?: return .signed(Int64(raw.load(Int8.self, element: index)))
        case .integer(true, 2)?: return .signed(Int64(raw.load(Int16.self, element: index)))
        case .integer(true, 4)?: return .signed(Int64(raw.load(Int32.self, element: index)))
        case .integer(true, _)?: return .signed(raw.load(Int64.self, element: index))
        case .integer(false, 1)?: return .unsigned(UInt64(raw.load(UInt8.self, element: index)))
        case .integer(false, 2)?: return .unsigned(UInt64(raw.load(UInt16.self, element: index)))
        case .integer(false, 4)?: return .unsigned(UInt64(raw.load(UInt32.self, element: index)))
        case .integer(false, _)?: return .unsigned(raw.load(UInt64.self, element: index))
        case .bool?: return .bool(raw[index] != 0)
        case .opaque?, nil: return .bytes(Array(raw[index..<index + 1]))
        }
    }
}
