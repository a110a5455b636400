import Glibc
import TensorBundle

/// A byte range of one segment of one variable: the unit of parallel work.
struct Chunk: Sendable {
    let plan: Int
    let segment: Int
    let range: Range<Int>
}

/// What comparing one chunk found: its statistics (with `compareOnly`, empty when its bytes
/// are equal and nil when not), and for a 2-D tensor the rows whose bytes in it differ.
struct ChunkResult: Sendable {
    var statistics: DiffStatistics? = nil
    var rows: RowTally? = nil
}

/// How one variable present on both sides with the same dtype and shape is compared.
struct Plan: Sendable {
    /// Bytes stored on both sides that correspond element for element.
    enum Segment: Sendable {
        /// A stored entry on each side (a whole tensor, or the same slice of a partitioned one).
        case stored(aKey: [UInt8], a: BundleEntry, bKey: [UInt8], b: BundleEntry)
        /// Both values assembled in memory (partitioned differently on the two sides).
        case assembled(a: [UInt8], b: [UInt8])
        /// Strings and variants, compared element by element after decoding.
        case opaque(aKey: [UInt8], bKey: [UInt8])
    }

    let variable: Int
    let pair: VariablePair
    /// The variable in B.
    let summary: VariableSummary
    let kind: ElementKind
    let segments: [Segment]
    /// For a 2-D numeric tensor stored whole on both sides: its rows and the bytes of each.
    let rowLayout: (rows: Int, bytes: Int)?

    /// The plan of `pair`, stored as `x` in A and `y` in B (same dtype and shape).
    init(
        variable: Int, pair: VariablePair, a x: VariableSummary, b y: VariableSummary,
        in bundles: (a: CheckpointBundle, b: CheckpointBundle)
    )
        throws
    {
        guard let kind = ElementKind(y.dtype) else {
            throw DiffError(code: .unsupportedType, cause: "tensor \(y.name): cannot compare dtype \(y.dtype)")
        }
        self.variable = variable
        self.pair = pair
        self.summary = y
        self.kind = kind
        let (a, b) = bundles
        let left = try a.entry(forKey: x.key)
        let right = try b.entry(forKey: y.key)
        if case .opaque = kind {
            segments = [.opaque(aKey: x.key, bKey: y.key)]
        } else if !left.isPartitioned && !right.isPartitioned {
            segments = [try Self.stored(x.key, y.key, a, b)]
        } else if left.slices == right.slices {
            segments = try left.slices.map { (slice) throws(TensorError) -> Segment in
                try Self.stored(SliceKey.encode(name: x.key, slice: slice), SliceKey.encode(name: y.key, slice: slice), a, b)
            }
        } else {
            guard case .fixed(let leftBytes) = try a.value(forKey: x.key).contents,
                case .fixed(let rightBytes) = try b.value(forKey: y.key).contents
            else { throw DiffError(code: .unexpectedContents, cause: "tensor \(y.name): unexpected contents") }
            segments = [.assembled(a: leftBytes, b: rightBytes)]
        }
        let dimensions = y.shape.dimensions
        if dimensions.count == 2, kind.isNumeric, segments.count == 1, let size = y.dtype.elementSize, dimensions[0] > 0, dimensions[1] > 0,
            case .stored = segments[0]
        {
            rowLayout = (Int(dimensions[0]), Int(dimensions[1]) * size)
        } else {
            rowLayout = nil
        }
    }

    /// Whether the weights' or the optimizer state's figure needs the variable's norms even
    /// when it is identical (an unchanged weight or learning rate counts in ‖A‖).
    var needsNorms: Bool { pair.role != .bookkeeping && kind.isNumeric }

    /// The stored entries under `aKey` in A and `bKey` in B, each checked (dtype, shape, size,
    /// bytes present in its shard) so that the chunks cut from them lie inside the files,
    /// whoever opened them.
    private static func stored(
        _ aKey: [UInt8], _ bKey: [UInt8], _ a: CheckpointBundle, _ b: CheckpointBundle
    ) throws(TensorError) -> Segment {
        let x = try a.entry(forKey: aKey)
        let y = try b.entry(forKey: bKey)
        for (bundle, entry, key) in [(a, x, aKey), (b, y, bKey)] {
            try CheckpointBundle.validate(entry, key: key)
            try bundle.withStoredBytes(of: entry, key: key) { _ in }
        }
        return .stored(aKey: aKey, a: x, bKey: bKey, b: y)
    }

    /// Whether the variable may be identical, so that a comparison without decoding decides:
    /// every stored segment has the same size and CRC on both sides (assembled and opaque
    /// values are compared directly).
    var mayBeIdentical: Bool {
        segments.allSatisfy { segment in
            if case .stored(_, let a, _, let b) = segment { return a.size == b.size && a.crc32c == b.crc32c }
            return true
        }
    }

    /// The work items covering every segment, element-aligned, at most `bytes` each.
    func chunks(_ bytes: Int, plan: Int) -> [Chunk] {
        let stride = max(kind.stride, 1)
        let step = max(bytes / stride, 1) * stride
        var chunks: [Chunk] = []
        for (index, segment) in segments.enumerated() {
            let size: Int
            switch segment {
            case .stored(_, let a, _, _): size = Int(a.size)
            case .assembled(let a, _): size = a.count
            case .opaque: size = 0
            }
            var start = 0
            repeat {
                chunks.append(Chunk(plan: plan, segment: index, range: start..<min(size, start + step)))
                start += step
            } while start < size
        }
        return chunks
    }

    /// Compares one chunk (see ``ChunkResult``).
    func process(
        _ chunk: Chunk, _ a: CheckpointBundle, _ b: CheckpointBundle, compareOnly: Bool, tolerance: ChunkComparison.Tolerance?
    ) throws(TensorError) -> ChunkResult {
        switch segments[chunk.segment] {
        case .stored(let aKey, let x, let bKey, let y):
            guard x.size == y.size else {
                throw TensorError(
                    .sizeMismatch, key: bKey, "stored sizes differ (\(x.size) and \(y.size) bytes) for the same dtype and shape")
            }
            return try a.withStoredBytes(of: x, key: aKey, subrange: chunk.range, evictAfterUse: true) { (left) throws(TensorError) in
                try b.withStoredBytes(of: y, key: bKey, subrange: chunk.range, evictAfterUse: true) { right in
                    var result = ChunkResult(statistics: compare(left, right, compareOnly: compareOnly, tolerance: tolerance))
                    if !compareOnly, let rowLayout {
                        result.rows = RowTally(left, right, at: chunk.range.lowerBound, rowBytes: rowLayout.bytes, rows: rowLayout.rows)
                    }
                    return result
                }
            }
        case .assembled(let left, let right):
            return left.withUnsafeBytes { x in
                right.withUnsafeBytes { y in
                    ChunkResult(
                        statistics: compare(
                            UnsafeRawBufferPointer(rebasing: x[chunk.range]), UnsafeRawBufferPointer(rebasing: y[chunk.range]),
                            compareOnly: compareOnly, tolerance: tolerance))
                }
            }
        case .opaque(let aKey, let bKey):
            let left = try Self.elements(a.value(forKey: aKey))
            let right = try Self.elements(b.value(forKey: bKey))
            var statistics = DiffStatistics()
            let differing = zip(left, right).reduce(Int64(0)) { $0 + ($1.0 == $1.1 ? 0 : 1) }
            statistics.addOpaque(count: Int64(left.count), differing: differing, checkingTolerance: tolerance != nil)
            if compareOnly { return ChunkResult(statistics: differing == 0 ? DiffStatistics() : nil) }
            return ChunkResult(statistics: statistics)
        }
    }

    private func compare(
        _ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer, compareOnly: Bool, tolerance: ChunkComparison.Tolerance?
    ) -> DiffStatistics? {
        if compareOnly {
            let equal = left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            return equal ? DiffStatistics() : nil
        }
        return ChunkComparison.statistics(kind, left, right, tolerance: tolerance)
    }

    private static func elements(_ value: TensorValue) -> [[UInt8]] {
        switch value.contents {
        case .strings(let elements), .variants(let elements): elements
        case .fixed(let bytes): [bytes]
        }
    }
}
