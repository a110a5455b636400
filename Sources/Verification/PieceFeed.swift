import Checksums

/// Bytes of a data file arriving in order, fed to the pieces they belong to: a fixed-size
/// piece's CRC-32C is computed as its bytes pass, a whole piece's bytes (a string or variant
/// tensor, whose encoding is checked as a whole) are collected. Pieces may overlap or leave
/// gaps; bytes outside every piece are skipped.
struct PieceFeed {
    struct Piece: Sendable {
        /// The piece's bytes in the file.
        let range: Range<Int64>
        /// Collect the bytes rather than checksum them.
        let whole: Bool
    }

    /// What a finished piece gave.
    enum Outcome {
        case crc(UInt32)
        case bytes([UInt8])
    }

    private let pieces: [Piece]
    private var crcs: [CRC32C]
    private var collected: [Int: [UInt8]] = [:]
    /// The first piece not yet reached.
    private var next = 0
    /// The pieces reached and not finished, by position in `pieces`.
    private var active: [Int] = []
    /// The next `active`, built while bytes are fed (kept to reuse its storage).
    private var stillActive: [Int] = []
    /// The file offset of the next byte to arrive.
    private(set) var position: Int64

    /// A feed of `pieces` (sorted by start, none starting before `position`) whose first byte
    /// to arrive is at `position`.
    init(_ pieces: [Piece], from position: Int64) {
        self.pieces = pieces
        self.crcs = [CRC32C](repeating: CRC32C(), count: pieces.count)
        self.position = position
    }

    /// Completes the empty pieces at the first position (no byte arrives for them); call once
    /// before the first bytes.
    mutating func start(finish: (Int, Outcome) -> Void) {
        consume(UnsafeRawBufferPointer(start: nil, count: 0), finish: finish)
    }

    /// Feeds the next bytes and calls `finish` with the position in `pieces` and the outcome of
    /// every piece they complete.
    mutating func consume(_ bytes: UnsafeRawBufferPointer, finish: (Int, Outcome) -> Void) {
        let end = position + Int64(bytes.count)
        // A piece is reached by the first byte it holds; an empty one, by the bytes up to it.
        while next < pieces.count, pieces[next].range.lowerBound < end || pieces[next].range.lowerBound == end && pieces[next].range.isEmpty
        {
            active.append(next)
            next += 1
        }
        stillActive.removeAll(keepingCapacity: true)
        for index in active {
            let piece = pieces[index]
            let (lower, upper) = (max(piece.range.lowerBound, position), min(piece.range.upperBound, end))
            if lower < upper {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[Int(lower - position)..<Int(upper - position)])
                if piece.whole {
                    collected[index, default: []].append(contentsOf: slice)
                } else {
                    crcs[index].update(slice)
                }
            }
            if piece.range.upperBound <= end {
                finish(index, piece.whole ? .bytes(collected.removeValue(forKey: index) ?? []) : .crc(crcs[index].value))
            } else {
                stillActive.append(index)
            }
        }
        swap(&active, &stillActive)
        position = end
    }
}
