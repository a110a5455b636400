import BinaryCoding
import MappedIO

/// A prefix named in a `checkpoint` state file, resolved the way TensorFlow resolves it.
public struct ResolvedPrefix: Sendable, Hashable {
    /// The path exactly as the state file wrote it.
    public let written: String
    /// The prefix to open: relative paths joined to the directory; an absolute path that no
    /// longer exists replaced by the same file name in this directory when that exists.
    public let prefix: String
    /// True when an absolute path was stale (the directory moved) and was resolved to the
    /// same name in this directory.
    public let relocated: Bool
    /// Whether the checkpoint exists: `prefix.index`, or a V1 checkpoint's file or shards.
    public let exists: Bool
}

/// A training directory: its `checkpoint` state file and the checkpoints present in it.
public struct CheckpointDirectory: Sendable {
    /// The name of the state file TensorFlow keeps in every checkpoint directory.
    public static let stateFileName = "checkpoint"

    public let path: String
    /// The parsed state file; nil when the directory has none or it cannot be read.
    public let state: Result<CheckpointState, StateFileError>?
    /// Why the state file the directory holds cannot be read (a FIFO, no permission), if so.
    public let stateFileUnreadable: FileError?
    /// Every prefix with an `.index` file in the directory, sorted by name.
    public let prefixes: [String]
    /// Every legacy V1 checkpoint in the directory (a file, or shards `NAME-SSSSS-of-NNNNN`),
    /// by prefix, sorted by name; empty for a listed folder.
    public let legacyPrefixes: [String]
    /// The other names in the directory, for callers that look for debris.
    public let fileNames: [String]
    /// Names that are not plain (not valid UTF-8, or holding a control character), escaped for
    /// display with what is wrong: these tools neither name nor print such files.
    public let refusedNames: [NameError]
    /// For a listed folder (an object store): the prefixes whose `.index` the listing holds;
    /// nil for a local directory, whose files are asked for.
    private let listedIndexes: Set<String>?

    /// Reads the directory listing and the state file.
    public init(path: String) throws(FileError) {
        let listing = try FileSystem.listing(ofDirectory: path)
        let names = listing.names
        var state: Result<CheckpointState, StateFileError>? = nil
        var unreadable: FileError? = nil
        if names.contains(Self.stateFileName) {
            do {
                let text = try MappedFile(path: Path.join(path, Self.stateFileName)).withUnsafeBytes { Array($0) }
                state = Result { () throws(StateFileError) in try CheckpointState(parsing: text) }
            } catch {
                unreadable = error
            }
        }
        self.path = path
        self.state = state
        self.stateFileUnreadable = unreadable
        self.prefixes = names.filter { $0.hasSuffix(".index") }.map { Path.join(path, String($0.dropLast(".index".count))) }
        self.legacyPrefixes = Self.legacyPrefixes(in: path, names: names)
        self.fileNames = names
        self.refusedNames = listing.refused
        self.listedIndexes = nil
    }

    /// A folder known by its listing (an object-store prefix): the plain `names` directly in it,
    /// those refused, and the bytes of its state file (nil when it has none, or why it could not
    /// be read).
    public init(path: String, names: [String], refused: [NameError] = [], stateFile: Result<[UInt8], FileError>?) {
        var state: Result<CheckpointState, StateFileError>? = nil
        var unreadable: FileError? = nil
        switch stateFile {
        case .success(let text)?: state = Result { () throws(StateFileError) in try CheckpointState(parsing: text) }
        case .failure(let error)?: unreadable = error
        case nil: break
        }
        self.path = path
        self.state = state
        self.stateFileUnreadable = unreadable
        self.prefixes = names.filter { $0.hasSuffix(".index") }.sorted().map { Path.join(path, String($0.dropLast(".index".count))) }
        self.legacyPrefixes = []
        self.fileNames = names
        self.refusedNames = refused
        self.listedIndexes = Set(prefixes)
    }

    /// Whether the directory is on a local disk (its files can be opened), not a listed folder.
    public var isLocal: Bool { listedIndexes == nil }

    private func indexExists(_ prefix: String) -> Bool {
        listedIndexes?.contains(prefix) ?? (FileSystem.exists(BundleFiles.index(prefix: prefix)) || legacyPrefixes.contains(prefix))
    }

    /// The V1 checkpoints among `names`: files and shard sets that are tables and hold nothing
    /// a V2 checkpoint or a saver writes beside one (data files, `.meta`, `.tempstate`, …).
    private static func legacyPrefixes(in path: String, names: [String]) -> [String] {
        let candidates = names.filter { name in
            name != stateFileName && !name.hasSuffix(".index") && !name.hasSuffix(".meta") && !name.contains(".data-")
                && !name.contains(".tempstate") && !name.hasSuffix(".json") && !name.hasSuffix(".pb")
        }
        var prefixes: [String] = []
        for name in candidates {
            let prefix = Path.join(path, name)
            guard LegacyCheckpoint.looksLikeTable(prefix) else { continue }
            // A shard `NAME-00000-of-00002` stands for its checkpoint `NAME`.
            let parts = name.split(separator: "-", omittingEmptySubsequences: false)
            let shard = parts.count >= 4 && parts[parts.count - 2] == "of" ? parts.dropLast(3).joined(separator: "-") : nil
            let checkpoint = shard.map { Path.join(path, $0) } ?? prefix
            if !prefixes.contains(checkpoint) { prefixes.append(checkpoint) }
        }
        return prefixes.sorted()
    }

    /// Resolves a path from the state file as TensorFlow does (relative to this directory;
    /// URLs such as `gs://…` count as relative), then repairs a stale absolute path.
    public func resolve(_ written: String) -> ResolvedPrefix {
        let joined = Path.join(path, written)
        if indexExists(joined) || !Path.isAbsolute(written) {
            return ResolvedPrefix(written: written, prefix: joined, relocated: false, exists: indexExists(joined))
        }
        let local = Path.join(path, Path.fileName(of: written))
        if indexExists(local) {
            return ResolvedPrefix(written: written, prefix: local, relocated: true, exists: true)
        }
        return ResolvedPrefix(written: written, prefix: joined, relocated: false, exists: false)
    }

    /// The newest checkpoint the state file names, resolved; nil without a usable state file.
    public var latest: ResolvedPrefix? {
        guard case .success(let state)? = state, let newest = state.modelCheckpointPath, !newest.isEmpty else { return nil }
        return resolve(newest)
    }

    /// The checkpoints of the directory in the order the tools take them: those its state file
    /// names, in its order, then every other one by name; with `latestOnly`, only the newest
    /// (the state file's latest, else the last by name). Empty when it holds none.
    public func checkpoints(latestOnly: Bool) -> [String] {
        let present = prefixes + legacyPrefixes
        if latestOnly {
            if let latest, latest.exists { return [latest.prefix] }
            return present.last.map { [$0] } ?? []
        }
        var ordered: [String] = []
        if case .success(let state)? = state {
            for written in state.allModelCheckpointPaths + [state.modelCheckpointPath].compactMap({ $0 }) {
                let resolved = resolve(written)
                if resolved.exists && !ordered.contains(resolved.prefix) { ordered.append(resolved.prefix) }
            }
        }
        return ordered + present.filter { !ordered.contains($0) }
    }

    /// The line that says the directory holds no checkpoint, and what it holds instead.
    public var noCheckpointLine: String {
        "\(path): no checkpoint in this directory (\(ForeignFormat.contents(of: self))); \(ForeignFormat.whatIsRead)"
    }
}
