import BinaryCoding
import Checksums

/// How one chunk of target bytes is stored.
public enum ChunkEncoding: UInt8, Sendable, Hashable, CaseIterable {
    /// zstd of the bytes as they are.
    case raw = 0
    /// zstd of the bytes split into planes by significance (all most significant bytes, …).
    case planes = 1
    /// XOR with the base's bytes, then planes, then zstd.
    case xorPlanes = 2
    /// Element-wise difference from the base (wrapping, zigzag), then planes, then zstd.
    case subtractPlanes = 3
    /// The bytes verbatim (when nothing else is smaller: tiny or random chunks).
    case stored = 4

    public var name: String {
        switch self {
        case .raw: "raw"
        case .planes: "planes"
        case .xorPlanes: "xor+planes"
        case .subtractPlanes: "sub+planes"
        case .stored: "stored"
        }
    }

    var usesBase: Bool { self == .xorPlanes || self == .subtractPlanes }
}

/// One run of a target file: bytes copied from the base, or an encoded chunk.
public enum Run: Sendable, Hashable {
    /// `length` bytes at `offset` of base data file `baseFile`, copied unchanged.
    case copy(baseFile: Int, offset: Int, length: Int, name: String)
    /// `length` bytes decoded from the chunk section at `section` (its offset in the delta).
    case chunk(length: Int, encoding: ChunkEncoding, elementSize: Int, section: Int, base: BaseReference?, name: String)
    /// `length` float32 bytes decoded from the chunk section at `section` against a prediction
    /// computed from inputs in the base and the rebuilt target (see ``PredictionProgram``).
    case predicted(length: Int, encoding: ChunkEncoding, section: Int, prediction: Prediction, name: String)

    /// How a predicted run's reference bytes are computed.
    public struct Prediction: Sendable, Hashable {
        /// The rebuild level: every target byte the program reads is rebuilt at a lower level.
        public let level: Int
        public let program: PredictionProgram
        /// The program's inputs at this run's position, by input number.
        public let inputs: [TensorLocation]
    }

    /// Where a delta chunk's base bytes are.
    public struct BaseReference: Sendable, Hashable {
        public let file: Int
        public let offset: Int

        /// The place `count` bytes further in the same file.
        func advanced(by count: Int) -> BaseReference {
            BaseReference(file: file, offset: offset + count)
        }
    }

    public var length: Int {
        switch self {
        case .copy(_, _, let length, _), .chunk(let length, _, _, _, _, _), .predicted(let length, _, _, _, _): length
        }
    }

    /// The tensor key the run belongs to (empty for bytes no tensor claims).
    public var name: String {
        switch self {
        case .copy(_, _, _, let name), .chunk(_, _, _, _, _, let name), .predicted(_, _, _, _, let name): name
        }
    }

    /// The order runs are rebuilt in: predictions read target bytes rebuilt before them
    /// (an Adam second moment reads the first moment; the weight reads both).
    var level: Int {
        if case .predicted(_, _, _, let prediction, _) = self { return prediction.level }
        return 0
    }
}

/// The rebuild plan of one target data file.
public struct FilePlan: Sendable, Hashable {
    public let runs: [Run]
}

/// What a delta holds: identities, where the index is, and how to rebuild each data file.
public struct Manifest: Sendable {
    public let base: BundleIdentity?
    public let target: BundleIdentity
    /// Offset of the index section, and the index's size once decompressed.
    public let indexSection: Int
    /// One plan per target data file, in ``BundleIdentity/dataFiles`` order.
    public let files: [FilePlan]

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        Varint.append(UInt64(DeltaFormat.version), to: &out)
        out.append(base == nil ? 0 : 1)
        if let base { Self.append(base, to: &out) }
        Self.append(target, to: &out)
        Varint.append(UInt64(indexSection), to: &out)
        // Programs once each (every chunk of a tensor, and every tensor of a rule, shares one).
        var programs: [PredictionProgram: Int] = [:]
        var table: [PredictionProgram] = []
        for case .predicted(_, _, _, let prediction, _) in files.flatMap(\.runs) where programs[prediction.program] == nil {
            programs[prediction.program] = table.count
            table.append(prediction.program)
        }
        Varint.append(UInt64(table.count), to: &out)
        for program in table { program.encode(to: &out) }
        for file in files {
            Varint.append(UInt64(file.runs.count), to: &out)
            for run in file.runs {
                switch run {
                case .copy(let baseFile, let offset, let length, let name):
                    out.append(0)
                    for value in [baseFile, offset, length] { Varint.append(UInt64(value), to: &out) }
                    Self.append(name, to: &out)
                case .chunk(let length, let encoding, let elementSize, let section, let base, let name):
                    out.append(1)
                    for value in [length, Int(encoding.rawValue), elementSize, section] { Varint.append(UInt64(value), to: &out) }
                    if encoding.usesBase, let base {
                        Varint.append(UInt64(base.file), to: &out)
                        Varint.append(UInt64(base.offset), to: &out)
                    }
                    Self.append(name, to: &out)
                case .predicted(let length, let encoding, let section, let prediction, let name):
                    out.append(3)
                    for value in [length, Int(encoding.rawValue), section] { Varint.append(UInt64(value), to: &out) }
                    out.append(UInt8(prediction.level))
                    Varint.append(UInt64(programs[prediction.program]!), to: &out)
                    Varint.append(UInt64(prediction.inputs.count), to: &out)
                    for input in prediction.inputs {
                        out.append(input.source.rawValue)
                        Varint.append(UInt64(input.file), to: &out)
                        Varint.append(UInt64(input.offset), to: &out)
                    }
                    Self.append(name, to: &out)
                }
            }
        }
        return out
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        Varint.append(UInt64(text.utf8.count), to: &out)
        out += Array(text.utf8)
    }

    private static func append(_ digest: FileDigest, to out: inout [UInt8]) {
        append(digest.name, to: &out)
        Varint.append(UInt64(digest.size), to: &out)
        out.appendUInt64LE(digest.hash.high)
        out.appendUInt64LE(digest.hash.low)
    }

    private static func append(_ identity: BundleIdentity, to out: inout [UInt8]) {
        append(identity.name, to: &out)
        append(identity.index, to: &out)
        Varint.append(UInt64(identity.dataFiles.count), to: &out)
        for file in identity.dataFiles { append(file, to: &out) }
    }

    /// Decodes a manifest payload, checking every count and length against the bytes left.
    static func decode(_ bytes: [UInt8]) throws -> Manifest {
        var reader = ManifestReader(bytes: bytes)
        let version = try reader.number()
        guard DeltaFormat.readableVersions.contains(version) else {
            throw DeltaError(
                .corrupt, "manifest version \(version) is not supported (this tool reads versions \(DeltaFormat.readableVersions))")
        }
        let hasBase = try reader.byte()
        let base = hasBase == 1 ? try reader.identity() : nil
        let target = try reader.identity()
        let indexSection = try reader.number()
        let programs = version >= 2 ? try reader.programs() : []
        var files: [FilePlan] = []
        for _ in target.dataFiles {
            let count = try reader.count(minimumBytesEach: 5)
            var runs: [Run] = []
            runs.reserveCapacity(count)
            for _ in 0..<count { runs.append(try reader.run(version: version, programs: programs)) }
            files.append(FilePlan(runs: runs))
        }
        guard reader.atEnd else { throw DeltaError(.corrupt, "manifest: trailing bytes") }
        return Manifest(base: base, target: target, indexSection: indexSection, files: files)
    }
}

/// Reads manifest fields, never trusting a count it has not checked against the bytes left.
/// Reads a manifest's fields, checking each against the bytes left.
struct ManifestReader {
    let bytes: [UInt8]
    var position = 0

    var atEnd: Bool { position == bytes.count }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw DeltaError(.corrupt, "manifest is truncated") }
        position += 1
        return bytes[position - 1]
    }

    mutating func number() throws -> Int {
        let decoded = bytes.withUnsafeBytes { raw in try? Varint.decode(raw, at: position, maximumValue: UInt64(Int.max)) }
        guard let (value, next) = decoded else { throw DeltaError(.corrupt, "manifest has a bad number at byte \(position)") }
        position = next
        return Int(value)
    }

    /// A count of items that take at least `minimumBytesEach` bytes each.
    mutating func count(minimumBytesEach: Int) throws -> Int {
        let count = try number()
        guard count <= (bytes.count - position) / max(minimumBytesEach, 1) else {
            throw DeltaError(.corrupt, "manifest claims \(count) items in \(bytes.count - position) bytes")
        }
        return count
    }

    /// A string: valid UTF-8 without control characters, as this tool writes every name. A
    /// string that is not would be repaired or printed into another name; it is refused.
    mutating func string() throws -> String {
        let length = try number()
        guard length <= bytes.count - position else { throw DeltaError(.corrupt, "manifest string runs past its end") }
        position += length
        let raw = bytes[(position - length)..<position]
        guard let text = String(validating: raw, as: UTF8.self), !text.unicodeScalars.contains(where: \.isControlCharacter) else {
            throw DeltaError(.corrupt, "manifest: the name \(KeyText.escape(raw)) is not UTF-8 text without control characters")
        }
        return text
    }

    mutating func uint32() throws -> UInt32 {
        guard bytes.count - position >= 4 else { throw DeltaError(.corrupt, "manifest is truncated") }
        let value = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self)) }
        position += 4
        return value
    }

    mutating func hash() throws -> XXH128Digest {
        guard bytes.count - position >= 16 else { throw DeltaError(.corrupt, "manifest is truncated") }
        let value = bytes.withUnsafeBytes { raw in
            XXH128Digest(high: raw.loadUInt64LE(at: position), low: raw.loadUInt64LE(at: position + 8))
        }
        position += 16
        return value
    }

    mutating func digest() throws -> FileDigest {
        FileDigest(name: try string(), size: try number(), hash: try hash())
    }

    /// One run of a data file's plan: `u8 kind` and its fields (see docs/delta-format.md).
    mutating func run(version: Int, programs: [PredictionProgram]) throws -> Run {
        switch try byte() {
        case 0:
            let (file, offset, length) = (try number(), try number(), try number())
            return .copy(baseFile: file, offset: offset, length: length, name: try string())
        case 1:
            let length = try number()
            guard let encoding = ChunkEncoding(rawValue: UInt8(truncatingIfNeeded: try number())) else {
                throw DeltaError(.corrupt, "manifest: unknown chunk encoding")
            }
            let elementSize = try number()
            let section = try number()
            let reference = encoding.usesBase ? Run.BaseReference(file: try number(), offset: try number()) : nil
            return .chunk(
                length: length, encoding: encoding, elementSize: elementSize, section: section, base: reference, name: try string())
        case 2 where version == 1:
            return try legacyAdamRun()
        case 3 where version >= 2:
            let length = try number()
            let encoding = try predictedEncoding()
            let section = try number()
            let level = Int(try byte())
            let program = try number()
            guard program < programs.count else {
                throw DeltaError(.corrupt, "manifest: a run names prediction program \(program) of \(programs.count)")
            }
            let inputs = try (0..<(try count(minimumBytesEach: 3))).map { (_) throws in try location() }
            let prediction = Run.Prediction(level: level, program: programs[program], inputs: inputs)
            return .predicted(length: length, encoding: encoding, section: section, prediction: prediction, name: try string())
        default:
            throw DeltaError(.corrupt, "manifest: unknown run kind")
        }
    }

    mutating func location() throws -> TensorLocation {
        guard let source = TensorLocation.Source(rawValue: try byte()) else { throw DeltaError(.corrupt, "manifest: bad prediction input") }
        return TensorLocation(source: source, file: try number(), offset: try number())
    }

    /// The encoding of a predicted run: one that uses its reference (the prediction).
    mutating func predictedEncoding() throws -> ChunkEncoding {
        guard let encoding = ChunkEncoding(rawValue: UInt8(truncatingIfNeeded: try number())), encoding.usesBase else {
            throw DeltaError(.corrupt, "manifest: bad encoding for a predicted chunk")
        }
        return encoding
    }

    mutating func identity() throws -> BundleIdentity {
        let name = try string()
        let index = try digest()
        let count = try self.count(minimumBytesEach: 18)
        var files: [FileDigest] = []
        for _ in 0..<count { files.append(try digest()) }
        return BundleIdentity(name: name, index: index, dataFiles: files)
    }
}
