import Glibc
import TensorBundle

/// A byte range of one segment of one variable: the unit of parallel work.
struct Chunk: Sendable {
    let plan: Int
    let segment: Int
    let range: Range<Int>
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
        case opaque(key: [UInt8])
    }

    let variable: Int
    let summary: VariableSummary
    let kind: ElementKind
    let segments: [Segment]

    init(variable: Int, summary: VariableSummary, a: CheckpointBundle, b: CheckpointBundle) throws(DiffError) {
        guard let kind = ElementKind(summary.dtype) else {
            throw DiffError(cause: "tensor \(summary.name): cannot compare dtype \(summary.dtype)")
        }
        self.variable = variable
        self.summary = summary
        self.kind = kind
        do {
            let key = summary.key
            let x = try a.entry(forKey: key)
            let y = try b.entry(forKey: key)
            if case .opaque = kind {
                segments = [.opaque(key: key)]
            } else if !x.isPartitioned && !y.isPartitioned {
                segments = [try Self.stored(key, a, b)]
            } else if x.slices == y.slices {
                segments = try x.slices.map { (slice) throws(TensorError) -> Segment in
                    try Self.stored(SliceKey.encode(name: key, slice: slice), a, b)
                }
            } else {
                guard case .fixed(let left) = try a.value(forKey: key).contents,
                    case .fixed(let right) = try b.value(forKey: key).contents
                else { throw DiffError(cause: "tensor \(summary.name): unexpected contents") }
                segments = [.assembled(a: left, b: right)]
            }
        } catch {
            throw DiffError(cause: "\(error)")
        }
    }

    /// The stored entry under `key` on both sides, each checked (dtype, shape, size, bytes present
    /// in its shard) so that the chunks cut from it lie inside the files, whoever opened them.
    private static func stored(_ key: [UInt8], _ a: CheckpointBundle, _ b: CheckpointBundle) throws(TensorError) -> Segment {
        let x = try a.entry(forKey: key)
        let y = try b.entry(forKey: key)
        for (bundle, entry) in [(a, x), (b, y)] {
            try CheckpointBundle.validate(entry, key: key)
            try bundle.withStoredBytes(of: entry, key: key) { _ in }
        }
        return .stored(aKey: key, a: x, bKey: key, b: y)
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

    /// Compares one chunk: with `compareOnly`, an empty result when the bytes are equal and
    /// nil when not; otherwise the chunk's statistics.
    func process(
        _ chunk: Chunk, _ a: CheckpointBundle, _ b: CheckpointBundle, compareOnly: Bool, tolerance: ChunkComparison.Tolerance?
    ) throws(TensorError) -> DiffStatistics? {
        switch segments[chunk.segment] {
        case .stored(let aKey, let x, let bKey, let y):
            guard x.size == y.size else {
                throw TensorError(
                    .sizeMismatch, key: bKey, "stored sizes differ (\(x.size) and \(y.size) bytes) for the same dtype and shape")
            }
            return try a.withStoredBytes(of: x, key: aKey, subrange: chunk.range, evictAfterUse: true) { (left) throws(TensorError) in
                try b.withStoredBytes(of: y, key: bKey, subrange: chunk.range, evictAfterUse: true) { right in
                    compare(left, right, compareOnly: compareOnly, tolerance: tolerance)
                }
            }
        case .assembled(let left, let right):
            return left.withUnsafeBytes { x in
                right.withUnsafeBytes { y in
                    compare(
                        UnsafeRawBufferPointer(rebasing: x[chunk.range]), UnsafeRawBufferPointer(rebasing: y[chunk.range]),
                        compareOnly: compareOnly, tolerance: tolerance)
                }
            }
        case .opaque(let key):
            let left = try Self.elements(a.value(forKey: key))
            let right = try Self.elements(b.value(forKey: key))
            var statistics = DiffStatistics()
            let differing = zip(left, right).reduce(Int64(0)) { $0 + ($1.0 == $1.1 ? 0 : 1) }
            statistics.addOpaque(count: Int64(left.count), differing: differing, checkingTolerance: tolerance != nil)
            if compareOnly { return differing == 0 ? DiffStatistics() : nil }
            return statistics
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
