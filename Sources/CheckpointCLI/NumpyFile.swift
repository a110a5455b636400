import Diffing
import TensorBundle

/// A tensor's value as a `.npy` file (format version 1.0) that `numpy.load` reads: the header
/// dictionary (`descr`, `fortran_order`, `shape`), padded to a multiple of 64 bytes, then the
/// elements in row-major order, little-endian.
///
/// Every dtype numpy has is written as it is. The others become numpy's nearest lossless type:
/// bfloat16 as float32; the float8 and float4 family as float16 (each of their values is a
/// float16 value); int4 and int2 as int8, uint4 and uint2 as uint8; the quantized types as
/// their integers. Strings become fixed-width bytes (`S`, which numpy reads back without
/// trailing NUL bytes: such a string is refused). Variants are refused.
enum NumpyFile {
    /// The file's bytes, or why the value cannot be written losslessly.
    static func bytes(of value: TensorValue) -> Result<[UInt8], NumpyError> {
        let shape = value.shape.dimensions
        let body: (descr: String, data: [UInt8])
        switch value.contents {
        case .variants:
            return .failure(NumpyError("variant tensors have no numpy equivalent"))
        case .strings(let strings):
            guard !strings.contains(where: { $0.last == 0 }) else {
                return .failure(NumpyError("a string ends in a NUL byte, which numpy's fixed-width bytes would drop"))
            }
            let width = max(strings.map(\.count).max() ?? 0, 1)
            body = ("|S\(width)", strings.flatMap { $0 + [UInt8](repeating: 0, count: width - $0.count) })
        case .fixed(let raw):
            if let descr = native(value.dtype) {
                body = (descr, raw)
            } else if let converted = converted(value) {
                body = converted
            } else {
                return .failure(NumpyError("\(value.dtype) tensors have no numpy equivalent"))
            }
        }
        let shapeText =
            shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(body.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + header length (2) + header, ending in a newline, to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(header.utf8.count)
        return .success([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8) + body.data)
    }

    /// numpy's `descr` of a dtype it has as it is.
    private static func native(_ dtype: DataType) -> String? {
        switch dtype.name {
        case "float16": "<f2"
        case "float32": "<f4"
        case "float64": "<f8"
        case "complex64": "<c8"
        case "complex128": "<c16"
        case "int8", "qint8": "|i1"
        case "uint8", "quint8": "|u1"
        case "int16", "qint16": "<i2"
        case "uint16", "quint16": "<u2"
        case "int32", "qint32": "<i4"
        case "uint32": "<u4"
        case "int64": "<i8"
        case "uint64": "<u8"
        case "bool": "|b1"
        default: nil
        }
    }

    /// The elements of a dtype numpy lacks, in its nearest lossless type.
    private static func converted(_ value: TensorValue) -> (descr: String, data: [UInt8])? {
        let elements = TensorElements(value)
        let indices = 0..<elements.count
        switch value.dtype.name {
        case "bfloat16":
            return (
                "<f4",
                indices.flatMap { index -> [UInt8] in
                    guard case .float(let number) = elements.element(index) else { return [] }
                    return littleEndian(Float(number).bitPattern)
                }
            )
        case "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2fnuz", "float4_e2m1fn":
            return (
                "<f2",
                indices.flatMap { index -> [UInt8] in
                    guard case .float(let number) = elements.element(index) else { return [] }
                    return littleEndian(Float16(number).bitPattern)
                }
            )
        case "int4", "int2":
            return (
                "|i1",
                indices.map { index in
                    guard case .signed(let number) = elements.element(index) else { return 0 }
                    return UInt8(bitPattern: Int8(number))
                }
            )
        case "uint4", "uint2":
            return (
                "|u1",
                indices.map { index in
                    guard case .unsigned(let number) = elements.element(index) else { return 0 }
                    return UInt8(number)
                }
            )
        default:
            return nil
        }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

/// Why a value cannot be written as a `.npy` file.
struct NumpyError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
