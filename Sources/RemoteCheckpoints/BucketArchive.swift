import Archive
import MappedIO
import ObjectStore
import Synchronization

/// An archive kept in an object-store folder (`s3://bucket/runs/exp1/`), the same layout as a
/// local archive, worked on through a local staging directory that holds its manifest and the
/// files a command needs.
///
/// A store has no rename: each delta and companion object is created once with a conditional
/// write (never replacing an object), before any manifest lists it; the manifest is replaced by
/// compare-and-swap on its entity tag, so of two archivers on one archive the second to write
/// stops with a clear error and nothing listed is ever lost.
public final class BucketArchive: ArchivePublisher {
    /// The archive folder (its key ends in `/`).
    public let location: ObjectLocation
    /// The local directory that holds the manifest and the files a command needs.
    public let staging: ScratchDirectory
    private let session: RemoteSession
    private let storageClass: String?
    private struct State {
        /// The archive's objects by name, as listed, plus those this run created.
        var objects: [String: ObjectInfo]
        /// The entity tag of the manifest this run last read or wrote; nil when there is none.
        var manifestTag: String?
    }
    private let state: Mutex<State>

    /// Lists the archive at `url` and copies its manifest into a new staging directory;
    /// `storageClass` is the class of the files this run creates (the manifest stays STANDARD).
    public init(_ url: String, storageClass: String? = nil, in session: RemoteSession) throws {
        let location = try RemoteSession.location(url)
        self.location = location.with(key: location.folderKey)
        self.session = session
        self.storageClass = storageClass
        self.staging = try ScratchDirectory.staging(standingFor: self.location.description)
        let folder = self.location
        let staged = staging.path
        let (objects, tag) = try session.run(on: folder) { client in
            // The manifest first, then the listing: every file a manifest lists was created before
            // it, so a listing taken after it holds them all (the other way round, a manifest
            // another archiver writes in between lists files the listing has not seen). A
            // manifest that appears between the two is read again.
            var attempt = 0
            while true {
                attempt += 1
                let manifest = try await client.get(folder.appending(ArchiveManifest.fileName), limit: 256 << 20)
                let listing = try await client.list(folder, delimiter: "/")
                // Names that are not plain are no archive's files: left out, as a local archive's are.
                let objects = listing.children(of: folder.key).objects
                if manifest == nil, objects[ArchiveManifest.fileName] != nil, attempt < 5 { continue }
                guard let manifest else { return (objects, String?.none) }
                try OutputFile.write(manifest.bytes, to: Path.join(staged, ArchiveManifest.fileName))
                return (objects, String?.some(manifest.version))
            }
        }
        self.state = Mutex(State(objects: objects, manifestTag: tag))
    }

    /// The archive's manifest.
    ///
    /// - Throws: ``RemoteError`` (``RemoteError/Code/notAnArchive``) when the folder holds none,
    ///   or the ``ArchiveError`` of a manifest that does not load.
    public func manifest() throws -> ArchiveManifest {
        guard let manifest = try manifestIfAny() else {
            throw RemoteError(.notAnArchive, "\(location): not an archive (no \(ArchiveManifest.fileName))")
        }
        return manifest
    }

    /// The archive's manifest, or nil when the folder holds none yet.
    public func manifestIfAny() throws -> ArchiveManifest? {
        try ArchiveManifest.load(directory: staging.path)
    }

    /// The entry of `step`, or of the newest step when nil.
    public func entry(step: Int64?) throws -> ArchiveEntry {
        let manifest = try manifest()
        guard let entry = step.map(manifest.entry(step:)) ?? manifest.entries.last else {
            throw RemoteError(.noSuchStep, "\(location): \(step.map { "no step \($0) in the archive" } ?? "the archive holds no step")")
        }
        return entry
    }

    /// Readies the staging directory for an archive run of `run`: refuses a folder that holds
    /// objects but no manifest, and copies what the run reads: the chain of each new step's base
    /// and the complete deltas a killed run left unlisted. Returns the files that cannot be read
    /// now (archive storage classes): a step whose base chain needs one starts a new chain.
    public func prepare(for run: TrainingRun) throws -> Set<String> {
        guard FileSystem.exists(Path.join(staging.path, ArchiveManifest.fileName)) else {
            let present = names
            guard present.isEmpty else {
                throw RemoteError(
                    .notAnArchive,
                    "\(location): not an archive (no \(ArchiveManifest.fileName)) and not empty (\(present.prefix(3).joined(separator: ", "))\(present.count > 3 ? ", …" : "")); archive into a new or empty folder"
                )
            }
            return []
        }
        let manifest = try manifest()
        var needed = Set<String>()
        for checkpoint in run.checkpoints where manifest.entry(step: checkpoint.step) == nil {
            guard let base = manifest.predecessor(of: checkpoint.step) else { continue }
            needed.formUnion(try manifest.chain(to: base).map(\.file))
        }
        let listed = Set(manifest.entries.flatMap { [$0.file] + $0.companions.map(\.file) })
        needed.formUnion(names.filter { !listed.contains($0) && ($0.hasSuffix(".ckptdelta") || $0.hasSuffix(".zst")) })
        let frozen = Set(try frozen(needed))
        try fetch(needed.subtracting(frozen))
        return frozen
    }

    /// The names of the objects in the archive folder.
    public var names: [String] { state.withLock { $0.objects.keys.sorted() } }

    /// Of `names`, those whose objects sit in an archive storage class and must be restored
    /// before they can be read (a listing names the class; a HEAD tells whether a restored copy
    /// is readable).
    public func frozen(_ names: some Sequence<String>) throws -> [String] {
        let archived = state.withLock { state in names.filter { state.objects[$0]?.needsRestore ?? false } }
        guard !archived.isEmpty else { return [] }
        let folder = location
        let heads = try session.run(on: folder) { client in
            var still: [String] = []
            for name in archived where try await client.head(folder.appending(name))?.needsRestore ?? true { still.append(name) }
            return still
        }
        return heads
    }

    /// Copies the objects `names` into the staging directory (those already there are kept).
    public func fetch(_ names: some Sequence<String>) throws {
        let wanted = state.withLock { state in
            Set(names).compactMap { name in FileSystem.exists(Path.join(staging.path, name)) ? nil : state.objects[name] }
        }
        let directory = staging.path
        try session.run(on: location) { client in try await client.download(wanted, into: directory) }
    }

    /// The files a restore of `entry` reads: its chain and their companions.
    public static func files(toRestore entry: ArchiveEntry, manifest: ArchiveManifest) throws -> [String] {
        try manifest.chain(to: entry).map(\.file) + entry.companions.map(\.file)
    }

    /// Asks the store to restore the objects `names` from their archive storage class for
    /// `days` days; returns how many restores were started (the others were under way or done).
    public func thaw(_ names: [String], days: Int, tier: String) throws -> Int {
        let targets = names.map(location.appending)
        return try session.run(on: location) { client in
            var started = 0
            for target in targets where try await client.restore(target, days: days, tier: tier) { started += 1 }
            return started
        }
    }

    /// The error naming the objects that must be thawed before `what` can proceed.
    public func frozenError(_ names: [String], what: String) -> RemoteError {
        let described = state.withLock { state in
            names.prefix(5).map { "\(location.appending($0)) (\(state.objects[$0]?.storageClass ?? "?"))" }
        }
        return RemoteError(
            .archived,
            "\(what) needs \(names.count) object(s) in an archive storage class: \(described.joined(separator: ", "))"
                + "\(names.count > 5 ? ", …" : ""); `ckptdelta thaw \(location)` asks the store to restore them, then retry")
    }

    // MARK: ArchivePublisher

    public func publish(file name: String, in directory: String) throws {
        guard state.withLock({ $0.objects[name] == nil }) else { return }
        let target = location.appending(name)
        let options = WriteOptions(createOnly: true, storageClass: storageClass)
        let path = Path.join(directory, name)
        guard case .regular(let size) = FileSystem.kind(of: path) else {
            throw ArchiveError(.io, "\(path): vanished before it was uploaded")
        }
        try conditionally(target, "exists") {
            try session.run(on: location) { client in _ = try await client.upload(file: path, to: target, options: options) }
        }
        state.withLock {
            $0.objects[name] = ObjectInfo(location: target, size: Int64(size), version: "", storageClass: storageClass ?? "STANDARD")
        }
    }

    public func publishManifest(in directory: String) throws {
        let target = location.appending(ArchiveManifest.fileName)
        let bytes = try MappedFile(path: Path.join(directory, ArchiveManifest.fileName)).withUnsafeBytes { Array($0) }
        let tag = state.withLock { $0.manifestTag }
        let options = WriteOptions(createOnly: tag == nil, ifVersion: tag, contentType: "application/json")
        try conditionally(target, "changed since this run read it") {
            let written = try session.run(on: location) { client -> String in
                let version = try await client.put(target, bytes: bytes, options: options)
                if !version.isEmpty { return version }
                return try await client.head(target)?.version ?? ""
            }
            state.withLock { $0.manifestTag = written }
        }
    }

    public func remove(file name: String) throws {
        let target = location.appending(name)
        try session.run(on: location) { client in try await client.delete(target) }
        _ = state.withLock { $0.objects.removeValue(forKey: name) }
    }

    /// Runs the conditional write `write` to `target`. A lost one (the store's precondition
    /// failed, or it saw a concurrent write to the key) says that another archiver is at work:
    /// ``ArchiveError/Code/busy``, naming the object and `what` was found; other failures are
    /// thrown as they are.
    private func conditionally(_ target: ObjectLocation, _ what: String, _ write: () throws -> Void) throws {
        do {
            try write()
        } catch let error as StoreError where error.code == .preconditionFailed || error.code == .conflict {
            throw ArchiveError(
                .busy,
                "\(target): \(what): another archiver is writing this archive; this run stopped (what it uploaded is listed again or reported by the next run)"
            )
        }
    }
}
