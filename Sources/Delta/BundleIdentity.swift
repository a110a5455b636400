import BinaryCoding
import Checksums
import MappedIO
import Parallelism
import Synchronization
import TensorBundle
import Verification

/// A file of a checkpoint: its name (without directory), size and XXH3-128.
public struct FileDigest: Sendable, Hashable {
    public let name: String
    public let size: Int
    public let hash: XXH128Digest

    public init(name: String, size: Int, hash: XXH128Digest) {
        self.name = name
        self.size = size
        self.hash = hash
    }

    /// Hashes the file at `path`, read front to back through a small buffer.
    public static func of(path: String) throws -> FileDigest {
        return try of(path: path) { _ in }
    }

    /// Hashes the file at `path`, mapped and read front to back, lending each piece to
    /// `consume` once it is hashed; what was read leaves the resident set every
    /// ``evictedBytes``. (Mapping saves read(2)'s copy into a buffer.) With a `gate`, each
    /// stretch is read only when the gate lets it, and reported read once it is.
    static func of(
        path: String, gate: FollowGate? = nil, lending consume: (UnsafeRawBufferPointer) -> Void
    ) throws(FileError) -> FileDigest {
        var hasher = XXH3Hasher128()
        let file = try MappedFile(path: path)
        let name = Path.fileName(of: path)
        file.withUnsafeBytes { bytes in
            for stretch in stride(from: 0, to: bytes.count, by: Self.evictedBytes) {
                let end = min(stretch + Self.evictedBytes, bytes.count)
                gate?.mayRead(name, from: stretch)
                for start in stride(from: stretch, to: end, by: Self.pieceSize) {
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + Self.pieceSize, end)])
                    hasher.update(piece)
                    consume(piece)
                }
                gate?.didRead(name, upTo: end)
                file.evict(stretch..<end)
            }
        }
        return FileDigest(name: Path.fileName(of: path), size: file.count, hash: hasher.finalize())
    }

    /// Bytes hashed and lent at a time: small enough to stay in cache between the two.
    static let pieceSize = 1 << 20
    /// Bytes read between two releases of the resident set: each release interrupts every
    /// other core to flush its TLB, so it comes seldom.
    static let evictedBytes = 16 << 20
}

/// The data files of a checkpoint as a verifier reads them, each hashed as it passes: the
/// checkpoint's identity comes from the verification's own pass.
final class HashingSource: DataFileSource {
    private let digests = Mutex<[String: FileDigest]>([:])
    /// What paces the reading, when another pass follows it.
    private let gate: FollowGate?

    init(gate: FollowGate? = nil) {
        self.gate = gate
    }

    func read(_ path: String, into consume: (UnsafeRawBufferPointer) -> Void) throws(FileError) {
        // Read to its end or not at all: the follower never waits on this file again.
        defer { gate?.didRead(Path.fileName(of: path), upTo: .max) }
        let digest = try FileDigest.of(path: path, gate: gate, lending: consume)
        digests.withLock { $0[digest.name] = digest }
    }

    /// The digest of the file named `name` (no directory), if it was read.
    func digest(ofFileNamed name: String) -> FileDigest? {
        digests.withLock { $0[name] }
    }
}

/// What identifies a checkpoint: its prefix's name, and the digest of its index and of every
/// data file its header names.
public struct BundleIdentity: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let index: FileDigest
    public let dataFiles: [FileDigest]

    /// The identity of the checkpoint at `prefix` (every file hashed): its index and the data
    /// files `names` (see ``dataFileNames(prefix:shardCount:)``), their digests taken from
    /// `hashed` where it read them.
    static func of(prefix: String, dataFiles names: [String], hashed: HashingSource) throws -> BundleIdentity {
        let index = try FileDigest.of(path: BundleFiles.index(prefix: prefix))
        let directory = Path.directory(of: prefix)
        var dataFiles: [FileDigest] = []
        for file in names {
            if let digest = hashed.digest(ofFileNamed: file) {
                dataFiles.append(digest)
            } else {
                dataFiles.append(try FileDigest.of(path: Path.join(directory, file)))
            }
        }
        return BundleIdentity(name: Path.fileName(of: prefix), index: index, dataFiles: dataFiles)
    }

    /// The names of the data files of the checkpoint at `prefix` that exist, of its
    /// `shardCount` shards, in shard order: the files an identity lists. They are found by
    /// listing the directory, so the work is bounded by what it holds, not by a count read from
    /// the index.
    static func dataFileNames(prefix: String, shardCount: Int64) throws(FileError) -> [String] {
        let name = Path.fileName(of: prefix)
        let names = try FileSystem.contents(ofDirectory: Path.directory(of: prefix))
        return names.compactMap { file -> (shard: Int64, file: String)? in
            guard let parsed = BundleFiles.parseData(fileName: file), parsed.shard >= 0, parsed.shard < shardCount,
                file == BundleFiles.data(prefix: name, shard: parsed.shard, of: shardCount)
            else { return nil }
            return (parsed.shard, file)
        }.sorted { $0.shard < $1.shard }.map(\.file)
    }

    /// The checkpoint's size: its index and data files (a manifest whose sizes do not add up
    /// within `Int` is refused when it is read).
    public var totalSize: Int {
        ([index] + dataFiles).saturatingSum(of: \.size)
    }

    /// Whether `other` holds the same bytes: the same index and data files by size and
    /// XXH3-128, whatever the names (a checkpoint may have been renamed).
    public func holdsSameBytes(as other: BundleIdentity) -> Bool {
        let mine = [index] + dataFiles
        let theirs = [other.index] + other.dataFiles
        return mine.count == theirs.count && zip(mine, theirs).allSatisfy { $0.size == $1.size && $0.hash == $1.hash }
    }

    /// `ckpt-10 (index 1a2b…)`: the name and the start of the index hash.
    public var description: String {
        "\(name) (index \(String(index.hash.description.prefix(16))), \(dataFiles.count) data file(s))"
    }
}
