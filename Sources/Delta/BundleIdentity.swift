import Checksums
import MappedIO
import TensorBundle

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
    public static func of(path: String) throws(DeltaError) -> FileDigest {
        var hasher = XXH3Hasher128()
        let size: Int
        do {
            size = try SequentialReader.forEachPiece(of: path) { hasher.update($0) }
        } catch {
            throw DeltaError(.io, error.description)
        }
        return FileDigest(name: Path.fileName(of: path), size: size, hash: hasher.finalize())
    }
}

/// What identifies a checkpoint: its prefix's name, and the digest of its index and of every
/// data file its header names.
public struct BundleIdentity: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let index: FileDigest
    public let dataFiles: [FileDigest]

    /// The identity of the checkpoint at `prefix` (every file hashed).
    static func of(prefix: String, shardCount: Int64) throws(DeltaError) -> BundleIdentity {
        let index = try FileDigest.of(path: BundleFiles.index(prefix: prefix))
        var dataFiles: [FileDigest] = []
        for shard in 0..<shardCount {
            let path = BundleFiles.data(prefix: prefix, shard: shard, of: shardCount)
            if FileSystem.exists(path) { dataFiles.append(try FileDigest.of(path: path)) }
        }
        return BundleIdentity(name: Path.fileName(of: prefix), index: index, dataFiles: dataFiles)
    }

    /// `ckpt-10 (index 1a2b…)`: the name and the start of the index hash.
    public var description: String {
        "\(name) (index \(String(index.hash.description.prefix(16))), \(dataFiles.count) data file(s))"
    }
}
