/// Statistics of two equally long runs of raw elements.
enum ChunkComparison {
    typealias Tolerance = (absolute: Double, relative: Double)

    /// Compares `a` and `b`, raw bytes of the same element layout `kind` (not opaque).
    static func statistics(_ kind: ElementKind, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, tolerance: Tolerance?) -> DiffStatistics {
        switch kind {
        case .float32: return accumulate(Float32Decoder(), a, b, stride: 4, tolerance)
        case .float64: return accumulate(Float64Decoder(), a, b, stride: 8, tolerance)
        case .bfloat16: return accumulate(BFloat16Decoder(), a, b, stride: 2, tolerance)
        case .float16: return accumulate(Float16Decoder(), a, b, stride: 2, tolerance)
        case .byteTable(let table): return accumulate(ByteTableDecoder(table: table), a, b, stride: 1, tolerance)
        case .integer(true, 1): return accumulate(IntegerDecoder<Int8>(), a, b, stride: 1, tolerance)
        case .integer(false, 1): return accumulate(IntegerDecoder<UInt8>(), a, b, stride: 1, tolerance)
        case .integer(true, 2): return accumulate(IntegerDecoder<Int16>(), a, b, stride: 2, tolerance)
        case .integer(false, 2): return accumulate(IntegerDecoder<UInt16>(), a, b, stride: 2, tolerance)
        case .integer(true, 4): return accumulate(IntegerDecoder<Int32>(), a, b, stride: 4, tolerance)
        case .integer(false, 4): return accumulate(IntegerDecoder<UInt32>(), a, b, stride: 4, tolerance)
        case .integer(true, _): return accumulate(IntegerDecoder<Int64>(), a, b, stride: 8, tolerance)
        case .integer(false, _): return accumulate(IntegerDecoder<UInt64>(), a, b, stride: 8, tolerance)
        case .bool:
            var statistics = DiffStatistics()
            let differing = zip(a, b).reduce(Int64(0)) { $0 + (($1.0 != 0) != ($1.1 != 0) ? 1 : 0) }
            statistics.addOpaque(count: Int64(a.count), differing: differing, checkingTolerance: tolerance != nil)
            return statistics
        case .opaque:
            preconditionFailure("opaque elements are compared after decoding")
        }
    }

    @inline(__always)
    private static func accumulate<D: ElementDecoder>(
        _ decoder: D, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, stride: Int, _ tolerance: Tolerance?
    ) -> DiffStatistics {
        var statistics = DiffStatistics()
        for index in 0..<(a.count / stride) {
            statistics.add(decoder.value(a, index), decoder.value(b, index), tolerance: tolerance)
        }
        return statistics
    }
}
