import BinaryCoding
import Checksums
import MappedIO

/// A delta file opened for reading: framing checked, manifest decoded. Section payloads are
/// checked against their hashes when they are lent out.
public final class DeltaFile: Sendable {
    public let path: String
    public let manifest: Manifest
    private let file: MappedFile

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        manifest = try file.withUnsafeBytes { (bytes) throws -> Manifest in
            guard bytes.count >= DeltaFormat.headerLength + DeltaFormat.trailerLength,
                Array(bytes[0..<8]) == DeltaFormat.magic
            else { throw DeltaError(.corrupt, "\(path): not a checkpoint delta (no CKPTDLTA header)") }
            let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            guard DeltaFormat.readableVersions.contains(Int(version)) else {
                throw DeltaError(
                    .corrupt, "\(path): delta format version \(version); this tool reads versions \(DeltaFormat.readableVersions)")
            }
            let trailer = bytes.count - DeltaFormat.trailerLength
            guard Array(bytes[(trailer + 24)...]) == DeltaFormat.endMagic else {
                throw DeltaError(.corrupt, "\(path): truncated or incomplete delta (no end marker)")
            }
            let manifestOffset = bytes.loadUInt64LE(at: trailer)
            let manifestLength = bytes.loadUInt64LE(at: trailer + 8)
            guard XXH3.hash64(UnsafeRawBufferPointer(rebasing: bytes[trailer..<(trailer + 16)])) == bytes.loadUInt64LE(at: trailer + 16),
                manifestOffset <= UInt64(trailer), manifestLength <= UInt64(trailer) - manifestOffset
            else { throw DeltaError(.corrupt, "\(path): the trailer is corrupted") }
            guard bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self) == 0 else {
                throw DeltaError(.corrupt, "\(path): the header's reserved word is not zero (a newer or damaged delta)")
            }
            let payload = try Self.payload(bytes, at: Int(manifestOffset), kind: .manifest, path: path, limit: trailer)
            let manifest: Manifest
            do throws {
                manifest = try Manifest.decode(Array(payload))
                try manifest.validate()
            } catch {
                throw DeltaError(.corrupt, "\(path): \(error)")
            }
            return manifest
        }
    }

    /// The size of the delta file.
    public var count: Int { file.count }

    /// Lends the payload of the section at `offset`, after checking its kind, bounds and hash.
    /// Its pages are released from the resident set afterwards.
    public func withSection<Result>(
        at offset: Int, kind: DeltaFormat.SectionKind, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        var end = offset
        defer { file.evict(offset..<max(offset, end)) }
        return try file.withUnsafeBytes { (bytes) throws in
            let payload = try Self.payload(bytes, at: offset, kind: kind, path: path, limit: bytes.count - DeltaFormat.trailerLength)
            end = offset + 9 + payload.count + 8
            return try body(payload)
        }
    }

    /// The payload length of the section at `offset` (for reports).
    public func sectionLength(at offset: Int) -> Int {
        file.withUnsafeBytes { bytes in
            guard offset >= 0, offset + 9 <= bytes.count else { return 0 }
            return Int(min(bytes.loadUInt64LE(at: offset + 1), UInt64(bytes.count)))
        }
    }

    private static func payload(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, kind: DeltaFormat.SectionKind, path: String, limit: Int
    ) throws -> UnsafeRawBufferPointer {
        guard offset >= DeltaFormat.headerLength, offset <= limit - DeltaFormat.sectionOverhead, bytes[offset] == kind.rawValue else {
            throw DeltaError(.corrupt, "\(path): no \(kind) section at offset \(offset)")
        }
        let length = bytes.loadUInt64LE(at: offset + 1)
        guard length <= UInt64(limit - offset - DeltaFormat.sectionOverhead) else {
            throw DeltaError(.corrupt, "\(path): the \(kind) section at offset \(offset) runs past the end")
        }
        let start = offset + 9
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Int(length))])
        guard XXH3.hash64(payload) == bytes.loadUInt64LE(at: start + Int(length)) else {
            throw DeltaError(.corrupt, "\(path): the \(kind) section at offset \(offset) is corrupted (checksum mismatch)")
        }
        return payload
    }
}
