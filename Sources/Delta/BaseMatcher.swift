import Glibc
import MappedIO
import TensorBundle

/// Finds, for a target tensor, bytes in the base: an identical copy anywhere (whatever its
/// name), or the same-named tensor of the same dtype and size to encode against.
struct BaseMatcher: Sendable {
    private let byContent: [ContentKey: [Run.BaseReference]]
    private let byKey: [[UInt8]: (entry: BundleEntry, reference: Run.BaseReference)]
    private let baseFiles: [MappedFile]

    private struct ContentKey: Hashable {
        let size: Int64
        let crc: UInt32
    }

    init(base: CheckpointBundle?, baseIdentity: BundleIdentity?, baseFiles: [MappedFile]) {
        self.baseFiles = baseFiles
        var byContent: [ContentKey: [Run.BaseReference]] = [:]
        var byKey: [[UInt8]: (BundleEntry, Run.BaseReference)] = [:]
        if let base, let identity = baseIdentity, let count = base.header?.numShards {
            let fileIndex = Dictionary(identity.dataFiles.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
            for record in base.records {
                guard case .success(let entry) = record.entry, !entry.isPartitioned, entry.size > 0, entry.offset >= 0,
                    let file = fileIndex[Path.fileName(of: BundleFiles.data(prefix: base.prefix, shard: entry.shardID, of: count))],
                    entry.offset <= Int64(baseFiles[file].count) - entry.size
                else { continue }
                let reference = Run.BaseReference(file: file, offset: Int(entry.offset))
                byContent[ContentKey(size: entry.size, crc: entry.crc32c), default: []].append(reference)
                if byKey[record.key] == nil { byKey[record.key] = (entry, reference) }
            }
        }
        self.byContent = byContent
        self.byKey = byKey
    }

    /// A place in the base holding exactly the bytes of the target tensor `entry` at `range` of
    /// `data`, if any. Compared piece by piece, each released after use.
    func identical(_ data: MappedFile, _ range: Range<Int>, entry: BundleEntry) -> Run.BaseReference? {
        let piece = 8 << 20
        for reference in byContent[ContentKey(size: entry.size, crc: entry.crc32c)] ?? [] {
            var same = true
            for start in stride(from: 0, to: range.count, by: piece) where same {
                let length = min(piece, range.count - start)
                let mine = (range.lowerBound + start)..<(range.lowerBound + start + length)
                same = Self.equal(data, mine, baseFiles[reference.file], at: reference.offset + start)
                data.evict(mine)
                baseFiles[reference.file].evict((reference.offset + start)..<(reference.offset + start + length))
            }
            if same { return reference }
        }
        return nil
    }

    /// The base tensor to encode `entry` against: same key, same fixed-size dtype, same size.
    func counterpart(key: [UInt8], entry: BundleEntry) -> Run.BaseReference? {
        guard entry.dtype.elementSize != nil, let (baseEntry, reference) = byKey[key],
            baseEntry.dtype == entry.dtype, baseEntry.size == entry.size
        else { return nil }
        return reference
    }

    /// The spans of `range` of `a` (counted from its start, in order) whose `blockSize` blocks
    /// differ from as many bytes of `b` at `offset` (both in bounds); spans fewer than
    /// `joiningGapsBelow` bytes apart are one (by default, neighbours only).
    static func changedSpans(
        _ a: MappedFile, _ range: Range<Int>, _ b: MappedFile, at offset: Int, blockSize: Int, joiningGapsBelow gap: Int = 1
    ) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        for start in stride(from: 0, to: range.count, by: blockSize) {
            let end = min(range.count, start + blockSize)
            guard !equal(a, (range.lowerBound + start)..<(range.lowerBound + end), b, at: offset + start) else { continue }
            if let last = spans.last, start - last.upperBound < gap {
                spans[spans.count - 1] = last.lowerBound..<end
            } else {
                spans.append(start..<end)
            }
        }
        return spans
    }

    /// Whether the bytes at `range` of `a` equal as many bytes of `b` at `offset` (both in bounds).
    static func equal(_ a: MappedFile, _ range: Range<Int>, _ b: MappedFile, at offset: Int) -> Bool {
        a.withUnsafeBytes { first in
            b.withUnsafeBytes { second in
                memcmp(first.baseAddress! + range.lowerBound, second.baseAddress! + offset, range.count) == 0
            }
        }
    }
}
