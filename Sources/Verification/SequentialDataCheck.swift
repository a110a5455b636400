import MappedIO
import Parallelism
import TensorBundle

/// Checksums the fixed-size parts of a local checkpoint reading each opened data file once,
/// front to back, from a ``DataFileSource`` (one file per job): every piece read is fed to the
/// CRC-32C of each part it overlaps (a ``PieceFeed``), so parts may overlap or leave gaps. Strings and variants,
/// whose encodings are checked whole, are checked through the file's map as ``DataCheck``
/// checks them.
enum SequentialDataCheck {
    /// Checks `parts` and returns, for each, nil or the error it failed with; throws the first
    /// error of the source (a file that cannot be read says nothing about its tensors).
    static func run(
        _ parts: [StoredPart], bundle: CheckpointBundle, source: some DataFileSource, jobs: Int, chunkSize: Int,
        progress: (@Sendable (Int64) -> Void)?
    ) throws(FileError) -> [TensorError?] {
        var errors = [TensorError?](repeating: nil, count: parts.count)
        let whole = parts.indices.filter { parts[$0].entry.dtype.elementSize == nil }
        for (index, error) in zip(
            whole, DataCheck.run(whole.map { parts[$0] }, bundle: bundle, jobs: jobs, chunkSize: chunkSize, progress: progress))
        {
            errors[index] = error
        }
        // The fixed-size parts whose bytes lie inside an opened file, by shard, in file order.
        var byShard: [Int64: [Int]] = [:]
        for (index, part) in parts.enumerated() where part.entry.dtype.elementSize != nil {
            do throws(TensorError) {
                _ = try bundle.storedRange(of: part.entry, key: part.key)
                byShard[part.entry.shardID, default: []].append(index)
            } catch {
                errors[index] = error
            }
        }
        let files = bundle.shards.compactMap { shard, opened -> (shard: Int64, path: String)? in
            guard case .success = opened, let count = bundle.header?.numShards else { return nil }
            return (shard, BundleFiles.data(prefix: bundle.dataPrefix, shard: shard, of: count))
        }.sorted { $0.shard < $1.shard }
        let membersOfFile = files.map { file in (byShard[file.shard] ?? []).sorted { parts[$0].entry.offset < parts[$1].entry.offset } }
        let found = ResultSlots<Swift.Result<[(part: Int, error: TensorError?)], FileError>?>(count: files.count, initial: nil)
        ParallelWork.run(count: files.count, jobs: jobs) { index in
            found[index] = Swift.Result { () throws(FileError) in
                try check(membersOfFile[index], of: parts, in: files[index].path, source: source, progress: progress)
            }
        }
        for index in files.indices {
            for result in try found[index]!.get() { errors[result.part] = result.error }
        }
        return errors
    }

    /// Reads the file at `path` once and returns the verdict on each of `members` (positions
    /// in `parts`, sorted by offset).
    private static func check(
        _ members: [Int], of parts: [StoredPart], in path: String, source: some DataFileSource, progress: (@Sendable (Int64) -> Void)?
    ) throws(FileError) -> [(part: Int, error: TensorError?)] {
        var feed = PieceFeed(members.map { PieceFeed.Piece(range: parts[$0].range, whole: false) }, from: 0)
        var crcs = [UInt32?](repeating: nil, count: members.count)
        func finish(_ member: Int, _ outcome: PieceFeed.Outcome) {
            if case .crc(let crc) = outcome { crcs[member] = crc }
            progress?(parts[members[member]].entry.size)
        }
        feed.start(finish: finish)
        try source.read(path) { feed.consume($0, finish: finish) }
        return members.indices.map { member in
            let part = parts[members[member]]
            guard let crc = crcs[member] else {
                let error = TensorError(
                    .pastEndOfFile, key: part.key,
                    "\(path) ended at \(feed.position) bytes, before the tensor's bytes did (it changed while read)")
                return (members[member], error)
            }
            do throws(TensorError) {
                try CheckpointBundle.checkCRC(crc, of: part.entry, key: part.key)
                return (members[member], nil)
            } catch {
                return (members[member], error)
            }
        }
    }
}
