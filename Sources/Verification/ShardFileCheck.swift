import BinaryCoding
import MappedIO
import TensorBundle

/// Checks the data files around a bundle: files whose `-of-` count disagrees with the header,
/// shard files no entry references, bytes no entry claims, and leftover temporary files.
enum ShardFileCheck {
    /// At most this many unclaimed ranges are listed per shard; the rest are summed up.
    static let maximumGapsListed = 5

    /// `siblings` are the names in the checkpoint's directory (or object-store folder).
    static func run(bundle: CheckpointBundle, parts: [StoredPart], siblings names: [String], checkDebris: Bool) -> [Finding] {
        var findings: [Finding] = []
        let directory = Path.directory(of: bundle.prefix)
        let base = Path.fileName(of: bundle.prefix)
        let referenced = Set(parts.map(\.entry.shardID))
        if let shardCount = bundle.header?.numShards {
            for name in names {
                guard let parsed = BundleFiles.parseData(fileName: name), parsed.prefix == base else { continue }
                let path = Path.join(directory, name)
                if parsed.count != shardCount {
                    findings.append(
                        Finding(
                            .warning, .shardCountMismatch,
                            "data file says -of-\(parsed.count) but the header says \(shardCount) shards", file: path))
                } else if !referenced.contains(parsed.shard) {
                    findings.append(Finding(.warning, .shardUnreferenced, "no entry references this shard", file: path))
                }
            }
            findings += unclaimedBytes(bundle: bundle, parts: parts)
        }
        if checkDebris {
            for name in names where name.hasPrefix(base + ".") && name.contains(".tempstate") {
                findings.append(
                    Finding(.warning, .debrisTempstate, "temporary file left by an interrupted save", file: Path.join(directory, name)))
            }
        }
        return findings
    }

    /// One opened data file: its path and size, and the ranges of it that no entry covers.
    struct Coverage {
        let path: String
        let size: Int64
        let gaps: [Range<Int64>]

        var unclaimed: Int64 { gaps.saturatingSum { Int64($0.count) } }
    }

    /// The gaps and trailing bytes of each opened data file of `bundle`, whose stored `parts`
    /// claim the rest.
    static func coverage(bundle: CheckpointBundle, parts: [StoredPart]) -> [Coverage] {
        guard let shardCount = bundle.header?.numShards else { return [] }
        let byShard = Dictionary(grouping: parts, by: \.entry.shardID)
        return bundle.shards.sorted(by: { $0.key < $1.key }).compactMap { shard, opened in
            guard case .success(let file) = opened else { return nil }
            let ranges = (byShard[shard] ?? []).map(\.range).sorted { $0.lowerBound < $1.lowerBound }
            var gaps: [Range<Int64>] = []
            var covered: Int64 = 0
            for range in ranges {
                if range.lowerBound > covered { gaps.append(covered..<range.lowerBound) }
                covered = max(covered, range.upperBound)
            }
            if covered < Int64(file.count) { gaps.append(covered..<Int64(file.count)) }
            return Coverage(
                path: BundleFiles.data(prefix: bundle.dataPrefix, shard: shard, of: shardCount), size: Int64(file.count), gaps: gaps)
        }
    }

    /// Bytes of each opened shard that no entry's range covers (gaps and trailing bytes).
    private static func unclaimedBytes(bundle: CheckpointBundle, parts: [StoredPart]) -> [Finding] {
        var findings: [Finding] = []
        for coverage in coverage(bundle: bundle, parts: parts) {
            let (path, gaps) = (coverage.path, coverage.gaps)
            for gap in gaps.prefix(maximumGapsListed) {
                let what = gap.upperBound == coverage.size ? "trailing bytes" : "bytes"
                findings.append(
                    Finding(
                        .warning, .shardUnclaimedBytes, "\(gap.count) \(what) at \(gap.lowerBound)..<\(gap.upperBound) belong to no tensor",
                        file: path, offset: Int(gap.lowerBound)))
            }
            if gaps.count > maximumGapsListed {
                let rest = gaps.dropFirst(maximumGapsListed).saturatingSum { Int64($0.count) }
                findings.append(
                    Finding(
                        .warning, .shardUnclaimedBytes, "\(gaps.count - maximumGapsListed) more unclaimed ranges (\(rest) bytes)",
                        file: path))
            }
        }
        return findings
    }
}
