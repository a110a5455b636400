import BinaryCoding
import Checksums

/// Constants and framing of the delta file format (see `docs/delta-format.md`).
public enum DeltaFormat {
    /// The first 8 bytes of every delta file.
    public static let magic = Array("CKPTDLTA".utf8)
    /// The last 8 bytes of every complete delta file.
    public static let endMagic = Array("CKPTEND1".utf8)
    /// The format version this code writes: 2 since predictions are programs.
    public static let version: UInt32 = 2
    /// The versions this code reads: 1 (Adam predictions of two fixed kinds) and 2.
    public static let readableVersions: ClosedRange<Int> = 1...2
    /// Magic, version, reserved word.
    public static let headerLength = 16
    /// Manifest offset, manifest length, trailer checksum, end magic.
    public static let trailerLength = 32
    /// Kind byte, payload length, then after the payload its XXH3-64.
    public static let sectionOverhead = 1 + 8 + 8

    /// What a section holds.
    public enum SectionKind: UInt8, Sendable {
        /// One chunk of target data, encoded (see ``ChunkEncoding``).
        case chunk = 1
        /// The target's `.index`, zstd-compressed against the base's index.
        case index = 2
        /// The manifest: identities and how every target file is rebuilt.
        case manifest = 3
    }

    /// The bytes of a section: kind, length, payload, XXH3-64 of the payload.
    static func section(_ kind: SectionKind, _ payload: [UInt8]) -> [UInt8] {
        sectionHead(kind, length: payload.count) + payload + payload.withUnsafeBytes { sectionTail($0) }
    }

    /// What precedes a section's payload: its kind and length.
    static func sectionHead(_ kind: SectionKind, length: Int) -> [UInt8] {
        var out: [UInt8] = [kind.rawValue]
        out.appendUInt64LE(UInt64(length))
        return out
    }

    /// What follows a section's payload: its XXH3-64.
    static func sectionTail(_ payload: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt64LE(XXH3.hash64(payload))
        return out
    }

    /// The header: magic, version, a reserved zero word.
    static var header: [UInt8] {
        var out = magic
        out.appendUInt32LE(version)
        out.appendUInt32LE(0)
        return out
    }

    /// The trailer pointing at the manifest section.
    static func trailer(manifestOffset: Int, manifestLength: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt64LE(UInt64(manifestOffset))
        out.appendUInt64LE(UInt64(manifestLength))
        out.appendUInt64LE(out.withUnsafeBytes { XXH3.hash64($0) })
        return out + endMagic
    }
}
