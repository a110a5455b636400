/// Statistics of two equally long runs of raw elements.
enum ChunkComparison {
    typealias Tolerance = (absolute: Double, relative: Double)

    /// Compares `a` and `b`, raw bytes of the same element layout `kind` (not opaque).
    static func statistics(
        _ kind: ElementKind, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, tolerance: Tolerance?
    ) -> DiffStatistics {
        switch kind {
        case .bool:
            var statistics = DiffStatistics()
            let differing = zip(a, b).reduce(Int64(0)) { $0 + (($1.0 != 0) != ($1.1 != 0) ? 1 : 0) }
            statistics.addOpaque(count: Int64(a.count), differing: differing, checkingTolerance: tolerance != nil)
            return statistics
        case .opaque:
            preconditionFailure("opaque elements are compared after decoding")
        default:
            return kind.accept(Accumulation(a: a, b: b, tolerance: tolerance))!
        }
    }

    /// The statistics of every element pair of two runs.
    private struct Accumulation: ElementVisitor {
        let a: UnsafeRawBufferPointer
        let b: UnsafeRawBufferPointer
        let tolerance: Tolerance?

        @inline(__always)
        func visit<Decoder: ElementDecoder>(_ decoder: Decoder, stride: Int) -> DiffStatistics {
            var statistics = DiffStatistics()
            for index in 0..<(a.count / stride) {
                statistics.add(decoder.value(a, index), decoder.value(b, index), tolerance: tolerance)
            }
            return statistics
        }
    }
}
