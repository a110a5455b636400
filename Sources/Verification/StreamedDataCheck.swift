import Checksums
import TensorBundle

/// Checksums stored parts from a ``ShardReader`` as their bytes arrive: the parts are laid out
/// in windows of contiguous shard bytes (one ranged read each, many in flight), each window's
/// bytes are fed to the CRC-32C of the pieces they belong to, and the pieces' CRCs are combined
/// per part. Only strings and variants, whose encodings are checked as a whole, are collected in
/// memory; everything else passes through in network-buffer-sized pieces.
enum StreamedDataCheck {
    /// A byte range of one part: fixed-size parts are cut at window size, others kept whole.
    private struct Piece: Sendable {
        let part: Int
        /// Offset of the piece in its shard.
        let start: Int64
        let count: Int64
        /// Strings and variants: collect the bytes and check the encoding.
        let whole: Bool
        var end: Int64 { start + count }
    }

    /// One ranged read: pieces of one shard, in order, without overlaps.
    private struct Window: Sendable {
        let path: String
        var pieces: [Int] = []
        let start: Int64
        var end: Int64
    }

    /// What a window found: per piece, its CRC (fixed-size) or its verdict (whole).
    private typealias WindowResult = [(piece: Int, crc: UInt32, error: TensorError?)]

    /// Gaps up to this size between parts are read through rather than split into two reads.
    static let largestGapReadThrough: Int64 = 1 << 20

    /// Strings and variants larger than this are not collected in memory to be checked.
    static let largestWholePart: Int64 = 256 << 20

    /// Why a checkpoint cannot be checked from its reader at all.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// Checks `parts` and returns, for each, nil or the error it failed with; throws what the
    /// reader throws.
    static func run(
        _ parts: [StoredPart], bundle: CheckpointBundle, reader: some ShardReader, windowSize: Int, inFlight: Int,
        progress: (@Sendable (Int64) -> Void)?
    ) async throws -> [TensorError?] {
        if let huge = parts.first(where: { $0.entry.dtype.elementSize == nil && $0.entry.size > largestWholePart }) {
            throw Refusal(
                description:
                    "\(BundleFiles.index(prefix: bundle.prefix)): tensor \(huge.label): a \(huge.entry.dtype) tensor of \(huge.entry.size) bytes "
                    + "is checked whole, and that is more than \(largestWholePart >> 20) MiB to hold in memory; verify a local copy")
        }
        let (pieces, windows) = plan(parts, bundle: bundle, windowSize: Int64(windowSize))
        var crcs = [UInt32](repeating: 0, count: pieces.count)
        var errors = [TensorError?](repeating: nil, count: parts.count)
        try await withThrowingTaskGroup(of: WindowResult.self) { group in
            var next = 0
            func launch() {
                let window = windows[next]
                next += 1
                group.addTask { try await read(window, pieces: pieces, parts: parts, reader: reader, progress: progress) }
            }
            while next < min(inFlight, windows.count) { launch() }
            while let results = try await group.next() {
                for result in results {
                    crcs[result.piece] = result.crc
                    if let error = result.error, errors[pieces[result.piece].part] == nil { errors[pieces[result.piece].part] = error }
                }
                if next < windows.count { launch() }
            }
        }
        var piecesOfPart = [[Int]](repeating: [], count: parts.count)
        for (index, piece) in pieces.enumerated() { piecesOfPart[piece.part].append(index) }
        for (index, part) in parts.enumerated() where errors[index] == nil && part.entry.dtype.elementSize != nil {
            var crc: UInt32 = 0
            for piece in piecesOfPart[index] { crc = CRC32C.combine(crc, crcs[piece], lengthB: Int(pieces[piece].count)) }
            do throws(TensorError) {
                try CheckpointBundle.checkCRC(crc, of: part.entry, key: part.key)
            } catch {
                errors[index] = error
            }
        }
        return errors
    }

    /// Cuts the parts into pieces and groups neighbouring pieces of a shard into windows.
    private static func plan(_ parts: [StoredPart], bundle: CheckpointBundle, windowSize: Int64) -> (pieces: [Piece], windows: [Window]) {
        var pieces: [Piece] = []
        var paths: [Int64: String] = [:]
        for (index, part) in parts.enumerated() {
            let whole = part.entry.dtype.elementSize == nil
            let step = whole ? max(part.entry.size, 1) : windowSize
            var offset: Int64 = 0
            repeat {
                pieces.append(
                    Piece(part: index, start: part.entry.offset + offset, count: min(step, part.entry.size - offset), whole: whole))
                offset += step
            } while offset < part.entry.size
            if paths[part.entry.shardID] == nil, let count = bundle.header?.numShards {
                paths[part.entry.shardID] = BundleFiles.data(prefix: bundle.dataPrefix, shard: part.entry.shardID, of: count)
            }
        }
        let order = pieces.indices.sorted {
            (parts[pieces[$0].part].entry.shardID, pieces[$0].start, $0) < (parts[pieces[$1].part].entry.shardID, pieces[$1].start, $1)
        }
        var windows: [Window] = []
        for index in order {
            let piece = pieces[index]
            let path = paths[parts[piece.part].entry.shardID] ?? ""
            if var last = windows.last, last.path == path, piece.start >= last.end,
                piece.start - last.end <= largestGapReadThrough, piece.end - last.start <= windowSize
            {
                last.pieces.append(index)
                last.end = piece.end
                windows[windows.count - 1] = last
            } else {
                windows.append(Window(path: path, pieces: [index], start: piece.start, end: piece.end))
            }
        }
        return (pieces, windows)
    }

    /// Reads one window and checksums its pieces as the bytes arrive.
    private static func read(
        _ window: Window, pieces: [Piece], parts: [StoredPart], reader: some ShardReader, progress: (@Sendable (Int64) -> Void)?
    ) async throws -> WindowResult {
        var results: WindowResult = []
        var feed = PieceFeed(
            window.pieces.map { PieceFeed.Piece(range: pieces[$0].start..<pieces[$0].end, whole: pieces[$0].whole) }, from: window.start)
        func finish(_ member: Int, _ outcome: PieceFeed.Outcome) {
            let index = window.pieces[member]
            switch outcome {
            case .crc(let crc):
                results.append((index, crc, nil))
            case .bytes(let bytes):
                let part = parts[pieces[index].part]
                let error = bytes.withUnsafeBytes { (bytes) -> TensorError? in
                    do throws(TensorError) {
                        try CheckpointBundle.check(part.entry, key: part.key, bytes)
                        return nil
                    } catch {
                        return error
                    }
                }
                results.append((index, 0, error))
            }
            progress?(pieces[index].count)
        }
        feed.start(finish: finish)
        try await reader.read(window.path, range: window.start..<window.end) { feed.consume($0, finish: finish) }
        return results
    }
}
