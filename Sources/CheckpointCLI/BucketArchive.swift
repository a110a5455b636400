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
final class BucketArchive: ArchivePublisher {
    let location: ObjectLocation
    let staging: StagingDirectory
    private let client: S3Client
    private let storageClass: String?
    private struct State {
        /// The archive's objects by name, as listed, plus those this run created.
        var objects: [String: ObjectInfo]
        /// The entity tag of the manifest this run last read or wrote; nil when there is none.
        var manifestTag: String?
    }
    private let state: Mutex<State>

    /// Lists the archive at `url` and copies its manifest into a new staging directory.
    init(_ url: String, client: S3Client, storageClass: String? = nil) throws(ToolError) {
        let location = try RemoteStore.location(url)
        self.location = ObjectLocation(bucket: location.bucket, key: location.folderKey)
        self.client = client
        self.storageClass = storageClass
        self.staging = try StagingDirectory(standingFor: self.location.description)
        let folder = self.location
        let staged = staging.path
        let (objects, tag) = try RemoteStore.run { client in
            let listing = try await client.list(bucket: folder.bucket, prefix: folder.key, delimiter: "/")
            // Names that are not plain are no archive's files: left out, as a local archive's are.
            let objects = listing.children(of: folder.key).objects
            guard objects[ArchiveManifest.fileName] != nil,
                let manifest = try await client.get(folder.appending(ArchiveManifest.fileName), limit: 256 << 20)
            else { return (objects, String?.none) }
            try OutputFile.write(manifest.bytes, to: Path.join(staged, ArchiveManifest.fileName))
            return (objects, String?.some(manifest.etag))
        }
        self.state = Mutex(State(objects: objects, manifestTag: tag))
    }

    /// The archive's manifest; an error when the folder holds none.
    func manifest() throws(ToolError) -> ArchiveManifest {
        do {
            guard let manifest = try ArchiveManifest.load(directory: staging.path) else {
                throw ToolError("\(location): not an archive (no \(ArchiveManifest.fileName))")
            }
            return manifest
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError(String(describing: error))
        }
    }

    /// The archive's manifest, or nil when the folder holds none yet.
    func manifestIfAny() throws(ToolError) -> ArchiveManifest? {
        FileSystem.exists(Path.join(staging.path, ArchiveManifest.fileName)) ? try manifest() : nil
    }

    /// The entry of `step`, or of the newest step when nil.
    func entry(step: Int64?) throws(ToolError) -> ArchiveEntry {
        let manifest = try manifest()
        guard let entry = step.map(manifest.entry(step:)) ?? manifest.entries.last else {
            throw ToolError("\(location): \(step.map { "no step \($0) in the archive" } ?? "the archive holds no step")")
        }
        return entry
    }

    /// Readies the staging directory for an archive run of `run`: refuses a folder that holds
    /// objects but no manifest, and copies what the run reads: the chain of each new step's base
    /// and the complete deltas a killed run left unlisted. Returns the files that cannot be read
    /// now (archive storage classes): a step whose base chain needs one starts a new chain.
    func prepare(for run: TrainingRun) throws(ToolError) -> Set<String> {
        guard FileSystem.exists(Path.join(staging.path, ArchiveManifest.fileName)) else {
            let present = names
            guard present.isEmpty else {
                throw ToolError(
                    "\(location): not an archive (no \(ArchiveManifest.fileName)) and not empty (\(present.prefix(3).joined(separator: ", "))\(present.count > 3 ? ", …" : "")); archive into a new or empty folder"
                )
            }
            return []
        }
        let manifest = try manifest()
        var needed = Set<String>()
        do {
            for checkpoint in run.checkpoints where manifest.entry(step: checkpoint.step) == nil {
                guard let base = manifest.predecessor(of: checkpoint.step) else { continue }
                needed.formUnion(try manifest.chain(to: base).map(\.file))
            }
        } catch {
            throw ToolError(error.cause)
        }
        let listed = Set(manifest.entries.flatMap { [$0.file] + $0.companions.map(\.file) })
        needed.formUnion(names.filter { !listed.contains($0) && ($0.hasSuffix(".ckptdelta") || $0.hasSuffix(".zst")) })
        let frozen = Set(try frozen(needed))
        try fetch(needed.subtracting(frozen))
        return frozen
    }

    /// The names of the objects in the archive folder.
    var names: [String] { state.withLock { $0.objects.keys.sorted() } }

    /// Of `names`, those whose objects sit in an archive storage class and must be restored
    /// before they can be read (a listing names the class; a HEAD tells whether a restored copy
    /// is readable).
    func frozen(_ names: some Sequence<String>) throws(ToolError) -> [String] {
        let archived = state.withLock { state in names.filter { state.objects[$0]?.needsRestore ?? false } }
        guard !archived.isEmpty else { return [] }
        let folder = location
        let heads = try RemoteStore.run { client in
            var still: [String] = []
            for name in archived where try await client.head(folder.appending(name))?.needsRestore ?? true { still.append(name) }
            return still
        }
        return heads
    }

    /// Copies the objects `names` into the staging directory (those already there are kept).
    func fetch(_ names: some Sequence<String>) throws(ToolError) {
        let wanted = state.withLock { state in
            Set(names).compactMap { name in FileSystem.exists(Path.join(staging.path, name)) ? nil : state.objects[name] }
        }
        let directory = staging.path
        try RemoteStore.run { client in try await client.download(wanted, into: directory) }
    }

    /// The files a restore of `entry` reads: its chain and their companions.
    static func files(toRestore entry: ArchiveEntry, manifest: ArchiveManifest) throws(ToolError) -> [String] {
        do {
            let chain = try manifest.chain(to: entry)
            return chain.map(\.file) + entry.companions.map(\.file)
        } catch {
            throw ToolError(error.cause)
        }
    }

    /// A tool error naming the objects that must be thawed before `what` can proceed.
    func frozenError(_ names: [String], what: String) -> ToolError {
        let described = state.withLock { state in
            names.prefix(5).map { "\(location.appending($0)) (\(state.objects[$0]?.storageClass ?? "?"))" }
        }
        return ToolError(
            "\(what) needs \(names.count) object(s) in an archive storage class: \(described.joined(separator: ", "))"
                + "\(names.count > 5 ? ", …" : ""); `ckptdelta thaw \(location)` asks the store to restore them, then retry")
    }

    // MARK: ArchivePublisher

    func publish(file name: String, in directory: String) throws(ArchiveError) {
        guard state.withLock({ $0.objects[name] == nil }) else { return }
        let target = location.appending(name)
        let options = WriteOptions(createOnly: true, storageClass: storageClass)
        let path = Path.join(directory, name)
        guard case .regular(let size) = FileSystem.kind(of: path) else {
            throw ArchiveError(.io, "\(path): vanished before it was uploaded")
        }
        do {
            try RemoteStore.run { client in _ = try await client.upload(file: path, to: target, options: options) }
        } catch {
            throw ArchiveError(.busy, Self.explain(error.message, target: target, what: "exists"))
        }
        state.withLock {
            $0.objects[name] = ObjectInfo(location: target, size: Int64(size), etag: "", storageClass: storageClass ?? "STANDARD")
        }
    }

    func publishManifest(in directory: String) throws(ArchiveError) {
        let target = location.appending(ArchiveManifest.fileName)
        let bytes: [UInt8]
        do {
            bytes = try MappedFile(path: Path.join(directory, ArchiveManifest.fileName)).withUnsafeBytes { Array($0) }
        } catch {
            throw ArchiveError(error)
        }
        let tag = state.withLock { $0.manifestTag }
        let options = WriteOptions(createOnly: tag == nil, ifMatch: tag, contentType: "application/json")
        do {
            let written = try RemoteStore.run { client -> String in
                let etag = try await client.put(target, bytes: bytes, options: options)
                if !etag.isEmpty { return etag }
                return try await client.head(target)?.etag ?? ""
            }
            state.withLock { $0.manifestTag = written }
        } catch {
            throw ArchiveError(.busy, Self.explain(error.message, target: target, what: "changed since this run read it"))
        }
    }

    func remove(file name: String) throws(ArchiveError) {
        let target = location.appending(name)
        do {
            try RemoteStore.run { client in try await client.delete(target) }
        } catch {
            throw ArchiveError(.io, error.message, underlying: error)
        }
        _ = state.withLock { $0.objects.removeValue(forKey: name) }
    }

    /// A lost conditional write says that another archiver is at work; other failures as they are.
    private static func explain(_ message: String, target: ObjectLocation, what: String) -> String {
        guard message.contains("precondition failed") || message.contains("concurrent write") else { return message }
        return
            "\(target): \(what): another archiver is writing this archive; this run stopped (what it uploaded is listed again or reported by the next run)"
    }
}
