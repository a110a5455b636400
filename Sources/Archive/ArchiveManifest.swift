import BinaryCoding
import Checksums
import JSON
import MappedIO
import TensorBundle

/// One archived step: which file holds it and what it depends on.
public struct ArchiveEntry: Sendable, Hashable {
    /// The training step (the number after the last `-` of the checkpoint's name).
    public let step: Int64
    /// The checkpoint's prefix name, which a restore writes it under (`ckpt-40`).
    public let checkpoint: String
    /// The delta file's name in the archive directory.
    public let file: String
    /// The delta file's size and XXH3-128, recorded when it was written.
    public let size: Int
    public let hash: XXH128Digest
    /// The step this delta was made against; nil for a keyframe (a delta made without a base).
    public let baseStep: Int64?
    /// Links to apply from the keyframe to rebuild this step: 0 for a keyframe.
    public let depth: Int
    /// The checkpoint's own size: its index and data files.
    public let rawSize: Int
    /// The files stored with the checkpoint besides its bundle (a TF1 `.meta`).
    public let companions: [Companion]

    public init(
        step: Int64, checkpoint: String, file: String, size: Int, hash: XXH128Digest, baseStep: Int64?, depth: Int, rawSize: Int,
        companions: [Companion] = []
    ) {
        self.step = step
        self.checkpoint = checkpoint
        self.file = file
        self.size = size
        self.hash = hash
        self.baseStep = baseStep
        self.depth = depth
        self.rawSize = rawSize
        self.companions = companions
    }

    /// The same entry with `companions`.
    func with(companions: [Companion]) -> ArchiveEntry {
        ArchiveEntry(
            step: step, checkpoint: checkpoint, file: file, size: size, hash: hash, baseStep: baseStep, depth: depth,
            rawSize: rawSize, companions: companions)
    }

    public var isKeyframe: Bool { baseStep == nil }
}

/// The archive's table of contents, `archive.json`: every step, the file that holds it and
/// the step it depends on. It is the only file of an archive that is ever replaced (atomically);
/// the delta files it names are written once and never change. See `docs/archive-format.md`.
public struct ArchiveManifest: Sendable, Hashable {
    public static let fileName = "archive.json"
    public static let format = "ckptdelta-archive"
    /// The version written; version 1 (no companions) is read too.
    public static let version: Int64 = 2

    /// The entries, sorted by step, steps unique.
    public private(set) var entries: [ArchiveEntry]

    public init(entries: [ArchiveEntry] = []) {
        self.entries = entries.sorted { $0.step < $1.step }
    }

    /// The entry of `step`, if archived.
    public func entry(step: Int64) -> ArchiveEntry? {
        entries.first { $0.step == step }
    }

    /// The newest step archived before `step`: the base a new delta is made against.
    public func predecessor(of step: Int64) -> ArchiveEntry? {
        entries.last { $0.step < step }
    }

    /// The links to apply, keyframe first, to rebuild `entry`; throws when a link is missing
    /// or the chain loops.
    public func chain(to entry: ArchiveEntry) throws -> [ArchiveEntry] {
        var links = [entry]
        while let base = links[links.count - 1].baseStep {
            guard let link = self.entry(step: base), links.count <= entries.count else {
                throw ArchiveError(
                    .corrupt, "\(Self.fileName): step \(entry.step) depends on step \(base), which the archive does not hold")
            }
            links.append(link)
        }
        return links.reversed()
    }

    mutating func add(_ entry: ArchiveEntry) {
        entries.append(entry)
        entries.sort { $0.step < $1.step }
    }

    // MARK: Files

    /// Reads the manifest of the archive in `directory`; nil when there is none yet.
    public static func load(directory: String) throws -> ArchiveManifest? {
        let path = Path.join(directory, fileName)
        guard FileSystem.exists(path) else { return nil }
        let text = try MappedFile(path: path).withUnsafeBytes { Array($0) }
        return try decode(text, path: path)
    }

    /// Reads the manifest of the archive in `directory`, which must have one.
    public static func existing(directory: String) throws -> ArchiveManifest {
        guard let manifest = try load(directory: directory) else {
            throw ArchiveError(.notAnArchive, "\(directory): not an archive (no \(fileName))")
        }
        return manifest
    }

    /// Replaces the manifest in `directory` atomically (written aside, flushed, renamed): the
    /// one file of an archive that is ever replaced, and only while it is a regular file.
    func save(directory: String) throws {
        try OutputFile.write(Array(encoded().utf8), to: Path.join(directory, Self.fileName), replacing: .regularFile())
    }

    /// The JSON text: one entry per line, so that versions of it diff well.
    public func encoded() -> String {
        let lines = entries.map { entry -> String in
            JSONValue.object(
                [
                    ("step", .int(entry.step)), ("checkpoint", .string(entry.checkpoint)), ("file", .string(entry.file)),
                    ("size", .int(Int64(entry.size))), ("xxh3_128", .string(entry.hash.description)),
                    ("base_step", entry.baseStep.map(JSONValue.int) ?? .null), ("depth", .int(Int64(entry.depth))),
                    ("raw_size", .int(Int64(entry.rawSize))),
                ]
                    + (entry.companions.isEmpty
                        ? []
                        : [
                            (
                                "companions",
                                .array(
                                    entry.companions.map { companion in
                                        .object([
                                            ("name", .string(companion.name)), ("file", .string(companion.file)),
                                            ("size", .int(Int64(companion.size))),
                                            ("xxh3_128", .string(companion.hash.description)),
                                        ])
                                    })
                            )
                        ])
            ).serialized()
        }
        let head = JSONValue.object([("format", .string(Self.format)), ("version", .int(Self.version))]).serialized().dropLast()
        return head + ",\"entries\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }

    static func decode(_ text: [UInt8], path: String) throws -> ArchiveManifest {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: text)
        } catch {
            throw ArchiveError(.corrupt, "\(path): not valid JSON (\(error))")
        }
        guard document["format"]?.string == format else { throw ArchiveError(.corrupt, "\(path): not a checkpoint archive manifest") }
        guard let version = document["version"]?.integer, (1...Self.version).contains(version) else {
            throw ArchiveError(
                .corrupt,
                "\(path): archive format version \(document["version"]?.serialized() ?? "missing"); this tool reads version \(Self.version)"
            )
        }
        guard let items = document["entries"]?.elements else { throw ArchiveError(.corrupt, "\(path): no entries list") }
        var entries: [ArchiveEntry] = []
        for (index, item) in items.enumerated() {
            guard let step = item["step"]?.integer, let checkpoint = item["checkpoint"]?.string, let file = item["file"]?.string,
                let size = item["size"]?.integer, size >= 0, let hash = item["xxh3_128"]?.string.flatMap(XXH128Digest.init(hex:)),
                let base = item["base_step"], base.isNull || base.integer != nil, let depth = item["depth"]?.integer, depth >= 0,
                let rawSize = item["raw_size"]?.integer, rawSize >= 0
            else { throw ArchiveError(.corrupt, "\(path): entry \(index) is missing a field or has one of the wrong type") }
            // The one name rule, and no hidden names: a restore writes the checkpoint under it.
            if let problem = FileName.problem(with: checkpoint) ?? (checkpoint.hasPrefix(".") ? "starts with ." : nil) {
                throw ArchiveError(
                    .corrupt, "\(path): entry \(index): the checkpoint name \(KeyText.escape(Array(checkpoint.utf8))) \(problem)")
            }
            let entry = ArchiveEntry(
                step: step, checkpoint: checkpoint, file: file, size: Int(size), hash: hash, baseStep: base.integer,
                depth: Int(depth), rawSize: Int(rawSize),
                companions: try companions(of: item, checkpoint: checkpoint, path: path, index: index))
            // What this tool writes, and nothing else: a manifest that differs was edited or damaged.
            guard BundleFiles.step(of: checkpoint) == step else {
                throw ArchiveError(.corrupt, "\(path): entry \(index) lists step \(step) for checkpoint \(checkpoint)")
            }
            guard file == ArchiveLayout.fileName(of: checkpoint, keyframe: entry.isKeyframe), item["xxh3_128"]?.string == hash.description
            else {
                throw ArchiveError(
                    .corrupt, "\(path): entry \(index) (step \(step)) names its file or hash in a form this tool never writes")
            }
            guard entries.last.map({ $0.step < step }) ?? true else {
                throw ArchiveError(.corrupt, "\(path): entry \(index) (step \(step)) is out of step order or listed twice")
            }
            // Every delta is made against an earlier step: a chain always ends, at a keyframe.
            if let baseStep = entry.baseStep, baseStep >= step {
                throw ArchiveError(.corrupt, "\(path): entry \(index) (step \(step)) is based on step \(baseStep), not an earlier one")
            }
            entries.append(entry)
        }
        // Totals are shown and compared: sizes that cannot add up are not sizes this tool wrote.
        for (field, value) in [("size", \ArchiveEntry.size), ("raw_size", \ArchiveEntry.rawSize)]
        where entries.checkedSum(of: { Int64($0[keyPath: value]) }) == nil {
            throw ArchiveError(.corrupt, "\(path): the entries' \(field) fields add up past \(Int64.max)")
        }
        return ArchiveManifest(entries: entries)
    }

    /// The companions of one entry: each a plain file name of the checkpoint, stored under
    /// the name this tool gives it (possibly an earlier step's).
    private static func companions(of item: JSONValue, checkpoint: String, path: String, index: Int) throws -> [Companion] {
        guard let list = item["companions"] else { return [] }
        guard let elements = list.elements else {
            throw ArchiveError(.corrupt, "\(path): entry \(index) has companions that are not a list")
        }
        var companions: [Companion] = []
        for element in elements {
            guard let name = element["name"]?.string, let file = element["file"]?.string, let size = element["size"]?.integer, size >= 0,
                size <= Companion.maximumSize,
                let text = element["xxh3_128"]?.string, let hash = XXH128Digest(hex: text), text == hash.description,
                Companion.suffixes.contains(where: { name == checkpoint + $0 }),
                file.hasSuffix(".zst"), FileName.isPlain(file), !file.hasPrefix("."), !companions.contains(where: { $0.name == name })
            else { throw ArchiveError(.corrupt, "\(path): entry \(index) has a companion file this tool would not write") }
            companions.append(Companion(name: name, file: file, size: Int(size), hash: hash))
        }
        return companions
    }
}
