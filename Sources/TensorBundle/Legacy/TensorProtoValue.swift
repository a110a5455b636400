import BinaryCoding

/// The values a `TensorProto` holds inline, as a V1 checkpoint stores each slice: raw bytes in
/// `tensor_content`, or one repeated field per dtype (`float_val`, `int_val`, `string_val`, …),
/// packed or not, as proto3 writers and readers take them.
enum TensorProtoValue {
    /// The `count` elements of `dtype` that the serialized `TensorProto` `bytes` holds: raw
    /// little-endian element bytes, or strings.
    ///
    /// - Throws: ``TensorError`` when the message does not parse, holds another dtype, another
    ///   number of values, or a dtype a V1 checkpoint cannot hold.
    static func decode(_ bytes: ArraySlice<UInt8>, dtype: DataType, count: Int, key: [UInt8]) throws(TensorError) -> TensorValue.Contents {
        var content: ArraySlice<UInt8>? = nil
        var values: [ProtoField] = []
        var declared: DataType? = nil
        var decoder = ProtoDecoder(bytes)
        do {
            while let field = try decoder.next() {
                switch field.number {
                case 1: if case .varint(let value) = field.payload { declared = DataType(rawValue: Int32(truncatingIfNeeded: value)) }
                case 4: if case .bytes(let body) = field.payload { content = body }
                case 2, 3: break
                default: values.append(field)
                }
            }
        } catch {
            throw TensorError(.badLegacyValue, key: key, "its TensorProto does not parse: \(error)")
        }
        if let declared, declared != dtype {
            throw TensorError(.badLegacyValue, key: key, "its TensorProto holds \(declared), the checkpoint lists \(dtype)")
        }
        if dtype == .string {
            let strings = values.compactMap { field -> [UInt8]? in
                guard field.number == 8, case .bytes(let body) = field.payload else { return nil }
                return Array(body)
            }
            guard strings.count == count else { throw countMismatch(strings.count, count, key: key) }
            return .strings(strings)
        }
        guard let storage = Storage(dtype) else {
            throw TensorError(
                .unsupported, key: key, "\(dtype) tensors are not stored in V1 checkpoints (TensorFlow cannot read them either)")
        }
        let elementSize = dtype.elementSize!
        if let content, !content.isEmpty {
            guard content.count == count * elementSize else { throw countMismatch(content.count / elementSize, count, key: key) }
            return .fixed(Array(content))
        }
        var out: [UInt8] = []
        out.reserveCapacity(min(count, bytes.count) * elementSize)  // each value takes at least a byte of the message
        for field in values where field.number == storage.field {
            switch field.payload {
            case .bytes(let packed):
                try storage.appendPacked(packed, elementSize: elementSize, to: &out, key: key)
            case .varint(let value):
                storage.append(value, elementSize: elementSize, to: &out)
            case .fixed32(let value):
                storage.append(UInt64(value), elementSize: elementSize, to: &out)
            case .fixed64(let value):
                storage.append(value, elementSize: elementSize, to: &out)
            }
        }
        guard out.count == count * elementSize else { throw countMismatch(out.count / elementSize, count, key: key) }
        return .fixed(out)
    }

    private static func countMismatch(_ found: Int, _ expected: Int, key: [UInt8]) -> TensorError {
        TensorError(.badLegacyValue, key: key, "its TensorProto holds \(found) values where its slice has \(expected)")
    }

    /// Where a dtype's values are in a `TensorProto` and how each is encoded.
    private struct Storage {
        let field: Int
        /// Each value is a varint (else a fixed-width float or double).
        let varint: Bool
        /// Values per element (2 for complex numbers).
        let perElement: Int

        init?(_ dtype: DataType) {
            switch dtype.rawValue {
            case 1: self.init(field: 5, varint: false, perElement: 1)  // float
            case 2: self.init(field: 6, varint: false, perElement: 1)  // double
            case 3, 4, 5, 6, 11, 12, 13, 15, 16, 17: self.init(field: 7, varint: true, perElement: 1)  // int_val
            case 8: self.init(field: 9, varint: false, perElement: 2)  // complex64
            case 9: self.init(field: 10, varint: true, perElement: 1)  // int64
            case 10: self.init(field: 11, varint: true, perElement: 1)  // bool
            case 14, 19: self.init(field: 13, varint: true, perElement: 1)  // bfloat16, half: half_val
            case 18: self.init(field: 12, varint: false, perElement: 2)  // complex128
            case 22: self.init(field: 16, varint: true, perElement: 1)  // uint32
            case 23: self.init(field: 17, varint: true, perElement: 1)  // uint64
            default: return nil
            }
        }

        private init(field: Int, varint: Bool, perElement: Int) {
            self.field = field
            self.varint = varint
            self.perElement = perElement
        }

        /// Bytes of one value (a whole element, or half of a complex one).
        private func width(_ elementSize: Int) -> Int { elementSize / perElement }

        func append(_ value: UInt64, elementSize: Int, to out: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { out += $0.prefix(width(elementSize)) }
        }

        func appendPacked(_ packed: ArraySlice<UInt8>, elementSize: Int, to out: inout [UInt8], key: [UInt8]) throws(TensorError) {
            if varint {
                let values: [UInt64]
                do {
                    values = try ProtoDecoder.packedVarints(packed)
                } catch {
                    throw TensorError(.badLegacyValue, key: key, "its packed values do not parse: \(error)")
                }
                for value in values { append(value, elementSize: elementSize, to: &out) }
            } else {
                guard packed.count % width(elementSize) == 0 else {
                    throw TensorError(.badLegacyValue, key: key, "its packed values are \(packed.count) bytes, not whole values")
                }
                out += packed
            }
        }
    }
}
