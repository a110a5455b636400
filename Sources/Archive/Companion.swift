import Checksums
import Delta
import MappedIO
import Zstandard

/// A file that belongs to a checkpoint besides its bundle: the TF1 `Saver`'s `NAME.meta`
/// MetaGraph, without which `import_meta_graph` cannot load a restored checkpoint.
///
/// Stored zstd-compressed as `NAME.meta.zst`, written once; a later step whose companion has
/// the same bytes refers to the file already stored (MetaGraphs rarely change during a run).
public struct Companion: Sendable, Hashable {
    /// The file's name beside the checkpoint (`model.ckpt-50.meta`).
    public let name: String
    /// The compressed copy's name in the archive.
    public let file: String
    /// The original file's size and XXH3-128.
    public let size: Int
    public let hash: XXH128Digest

    public init(name: String, file: String, size: Int, hash: XXH128Digest) {
        self.name = name
        self.file = file
        self.size = size
        self.hash = hash
    }

    /// The largest companion accepted: a MetaGraph is a protobuf message, at most 2 GiB.
    static let maximumSize = Int(Int32.max)

    /// The suffixes of the files that belong to a checkpoint `NAME` besides `NAME.index` and
    /// its data files.
    static let suffixes = [".meta"]

    /// The name a companion `name` is stored under in an archive.
    static func storedName(of name: String) -> String { name + ".zst" }

    /// The companion files of the checkpoint at `prefix` that exist, hashed; one larger than
    /// ``maximumSize`` is refused before it is read.
    static func find(prefix: String) throws -> [(path: String, digest: FileDigest)] {
        var found: [(String, FileDigest)] = []
        for suffix in suffixes {
            let path = prefix + suffix
            guard case .regular(let size) = FileSystem.kind(of: path) else { continue }
            guard size <= maximumSize else {
                throw ArchiveError(.corrupt, "\(path): \(size) bytes, more than a MetaGraph can hold (\(maximumSize))")
            }
            found.append((path, try FileDigest.of(path: path)))
        }
        return found
    }

    /// Stores the companion at `path` (whose digest is `digest`) in `archive`, unless an
    /// identical one is stored already (in `manifest`, or a complete copy a killed run left
    /// under its name). A different file under that name is refused, never replaced.
    static func store(_ path: String, digest: FileDigest, in archive: String, manifest: ArchiveManifest) throws -> Companion {
        if let stored = manifest.entries.lazy.flatMap(\.companions).first(where: { $0.size == digest.size && $0.hash == digest.hash }) {
            return Companion(name: digest.name, file: stored.file, size: digest.size, hash: digest.hash)
        }
        let companion = Companion(name: digest.name, file: storedName(of: digest.name), size: digest.size, hash: digest.hash)
        let destination = Path.join(archive, companion.file)
        if FileSystem.exists(destination) {
            guard (try? companion.contents(in: archive)) != nil else {
                throw ArchiveError(
                    .exists, "\(destination): in the way (not listed, not this checkpoint's \(digest.name)); move it elsewhere")
            }
            return companion
        }
        let source = try MappedFile(path: path)
        let bytes: [UInt8]
        do throws(ZstdError) {
            bytes = try source.withUnsafeBytes { (raw) throws(ZstdError) -> [UInt8] in
                var compressor = ZstdCompressor(level: 9)
                return try compressor.compress(raw)
            }
        } catch {
            throw ArchiveError(.io, "\(path): \(error)")
        }
        try OutputFile.write(bytes, to: destination)
        return companion
    }

    /// The companion `name` stored under its own name by a run killed before it listed it:
    /// its size is the one its zstd frame declares, its hash that of the decompressed bytes.
    static func recover(name: String, in archive: String) throws -> Companion {
        let file = storedName(of: name)
        let bytes = try decompress(Path.join(archive, file), of: name, size: nil)
        return Companion(name: name, file: file, size: bytes.count, hash: bytes.withUnsafeBytes { XXH3.hash128($0) })
    }

    /// The original bytes, decompressed from the archive and checked against the size and
    /// XXH3-128 recorded.
    func contents(in archive: String) throws -> [UInt8] {
        let path = Path.join(archive, file)
        let bytes = try Self.decompress(path, of: name, size: size)
        guard bytes.withUnsafeBytes({ XXH3.hash128($0) }) == hash else {
            throw ArchiveError(.corrupt, "\(path): does not rebuild \(name) (XXH3-128 \(hash))")
        }
        return bytes
    }

    /// The bytes of the zstd frame at `path`, which must declare `size` (any size up to
    /// ``maximumSize`` when nil) before anything is allocated.
    private static func decompress(_ path: String, of name: String, size: Int?) throws -> [UInt8] {
        try MappedFile(path: path).withUnsafeBytes { (frame) throws -> [UInt8] in
            guard let declared = ZstdDecompressor.declaredSize(of: frame), declared <= UInt64(maximumSize),
                size.map({ UInt64($0) == declared }) ?? true
            else { throw ArchiveError(.corrupt, "\(path): does not hold the \(size.map { "\($0) " } ?? "")bytes of \(name)") }
            var bytes = [UInt8](repeating: 0, count: Int(declared))
            var decompressor = ZstdDecompressor()
            let outcome = bytes.withUnsafeMutableBytes { destination in
                Result { () throws(ZstdError) in try decompressor.decompress(frame, into: destination) }
            }
            guard case .success = outcome else { throw ArchiveError(.corrupt, "\(path): does not decompress to \(name)") }
            return bytes
        }
    }
}
