import Delta
import MappedIO
import Parallelism
import Verification

/// Adds the checkpoints of a training directory to an archive: each new step as a delta
/// against the newest step archived before it, with a keyframe (a delta without a base) at the
/// start of every chain.
///
/// A run holds the archive's lock, removes what an interrupted run left behind (files the
/// manifest does not name), then for each new step: verifies the source (a corrupt checkpoint
/// is reported and skipped, never archived), writes its delta file once under its final name,
/// and only then adds it to the manifest, which is replaced atomically. Killed at any moment,
/// it leaves an archive whose manifest names only complete files; the next run goes on.
public struct Archiver: Sendable {
    /// Deltas allowed after a keyframe before the next keyframe: restoring a step applies at
    /// most this many deltas plus the keyframe.
    public var maxChain = 10
    /// zstd level of the delta files.
    public var level: Int32 = 1
    public var jobs = Parallelism.availableCores
    /// Called as each checkpoint is added or skipped, and for each leftover removed.
    public var progress: (@Sendable (ArchiveEvent) -> Void)?

    public init() {}

    /// The name of the lock file in an archive directory.
    public static let lockName = ".lock"

    /// Archives every checkpoint of `run` not yet in the archive at `archive` (created if needed).
    public func archive(run runPath: String, into archive: String) throws(ArchiveError) -> ArchiveRunReport {
        let run = try TrainingRun(path: runPath)
        do {
            try FileSystem.createDirectory(archive)
        } catch {
            throw ArchiveError(error)
        }
        // Cleaning up the archive must never touch a training directory's own temporary files.
        guard FileSystem.canonicalPath(archive) != FileSystem.canonicalPath(runPath) else {
            throw ArchiveError(.usage, "\(archive): the archive cannot be the training directory itself")
        }
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(directory: archive, name: Self.lockName)
        } catch {
            throw ArchiveError(error)
        }
        defer { withExtendedLifetime(lock) {} }
        var manifest = try ArchiveManifest.load(directory: archive) ?? ArchiveManifest()
        var report = ArchiveRunReport()
        report.removed = try removeLeftovers(in: archive, manifest: manifest)
        for name in report.removed { progress?(.removed(leftover: name)) }
        for checkpoint in run.checkpoints where manifest.entry(step: checkpoint.step) == nil {
            let verdict = verifier.verify(prefix: checkpoint.prefix)
            if !verdict.ok {
                let cause = verdict.findings.first { $0.severity == .error }.map { $0.message } ?? "failed verification"
                let skipped = ArchiveRunReport.Skipped(checkpoint: checkpoint.name, reason: "not archived, it fails verification: \(cause)")
                report.skipped.append(skipped)
                progress?(.skipped(skipped))
                continue
            }
            let entry = try add(checkpoint, run: run, archive: archive, manifest: manifest)
            manifest.add(entry)
            try manifest.save(directory: archive)
            report.added.append(entry)
            progress?(.added(entry))
        }
        return report
    }

    private var verifier: Verifier {
        var verifier = Verifier()
        verifier.jobs = jobs
        verifier.checkDebris = false
        return verifier
    }

    private var creator: DeltaCreator {
        var creator = DeltaCreator()
        creator.level = level
        creator.jobs = jobs
        // Each source was verified before it is added; a base is either the archived step's
        // own bytes (the delta's recorded base identity is checked afterwards) or rebuilt
        // from the archive, hash by hash.
        creator.inputCheck = .trusted
        return creator
    }

    /// Writes the delta file of one checkpoint and returns its entry (not yet in the manifest).
    private func add(_ checkpoint: TrainingRun.Checkpoint, run: TrainingRun, archive: String, manifest: ArchiveManifest) throws(ArchiveError) -> ArchiveEntry {
        let deltaFile = checkpoint.name + ".ckptdelta"
        let keyframeFile = checkpoint.name + ".key.ckptdelta"
        guard let base = manifest.predecessor(of: checkpoint.step), base.depth < maxChain else {
            return try entry(for: checkpoint, file: keyframeFile, base: nil, archive: archive, written: try create(nil, checkpoint, keyframeFile, archive))
        }
        let written = try createDelta(checkpoint, against: base, file: deltaFile, run: run, archive: archive, manifest: manifest)
        // A delta that is not smaller than a keyframe would be is replaced by one.
        let keyframe = manifest.entries.last { $0.isKeyframe && $0.step < checkpoint.step }
        let estimate = keyframe.map { Double($0.size) / Double(max($0.rawSize, 1)) * Double(written.rawSize) } ?? 0
        if Double(written.size) >= estimate {
            let alone = try create(nil, checkpoint, keyframeFile, archive)
            if alone.size <= written.size {
                try remove(Path.join(archive, deltaFile))
                return try entry(for: checkpoint, file: keyframeFile, base: nil, archive: archive, written: alone)
            }
            try remove(Path.join(archive, keyframeFile))
        }
        return try entry(for: checkpoint, file: deltaFile, base: base, archive: archive, written: written)
    }

    /// What a created delta file holds: its size and the target's raw size.
    private struct Written {
        let size: Int
        let rawSize: Int
        let manifest: Manifest
    }

    private func create(_ base: String?, _ checkpoint: TrainingRun.Checkpoint, _ file: String, _ archive: String) throws(ArchiveError) -> Written {
        let path = Path.join(archive, file)
        let manifest: Manifest
        do {
            manifest = try creator.create(base: base, target: checkpoint.prefix, output: path, overwrite: false)
        } catch {
            throw ArchiveError(error)
        }
        guard case .regular(let size) = FileSystem.kind(of: path) else { throw ArchiveError(.io, "\(path): vanished after it was written") }
        let target = manifest.target
        return Written(size: size, rawSize: target.index.size + target.dataFiles.reduce(0) { $0 + $1.size }, manifest: manifest)
    }

    /// A delta against the archived `base`: made from the base's files in the run directory
    /// when they are still there and unchanged, else from the base rebuilt out of the archive.
    private func createDelta(
        _ checkpoint: TrainingRun.Checkpoint, against base: ArchiveEntry, file: String, run: TrainingRun, archive: String, manifest: ArchiveManifest
    ) throws(ArchiveError) -> Written {
        let rebuilder = ChainRebuilder(directory: archive, manifest: manifest, applier: applier)
        let expected: BundleIdentity
        do {
            expected = try DeltaFile(path: rebuilder.path(of: base)).manifest.target
        } catch {
            throw ArchiveError(error)
        }
        let local = Path.join(run.path, base.checkpoint)
        if FileSystem.exists(local + ".index") {
            // Any failure here (a base half deleted by max_to_keep, say) falls back to the archive.
            if let written = try? create(local, checkpoint, file, archive), written.manifest.base == expected { return written }
            try remove(Path.join(archive, file))
        }
        let scratch = try ScratchSpace(parent: archive)
        let rebuilt = try rebuilder.rebuild(base, into: nil, overwrite: false, scratch: scratch)
        return try create(rebuilt.prefix, checkpoint, file, archive)
    }

    private var applier: DeltaApplier {
        var applier = DeltaApplier()
        applier.jobs = jobs
        return applier
    }

    private func entry(for checkpoint: TrainingRun.Checkpoint, file: String, base: ArchiveEntry?, archive: String, written: Written) throws(ArchiveError) -> ArchiveEntry {
        let digest: FileDigest
        do {
            digest = try FileDigest.of(path: Path.join(archive, file))
        } catch {
            throw ArchiveError(error)
        }
        return ArchiveEntry(
            step: checkpoint.step, checkpoint: checkpoint.name, file: file, size: digest.size, hash: digest.hash,
            baseStep: base?.step, depth: base.map { $0.depth + 1 } ?? 0, rawSize: written.rawSize)
    }

    /// Removes what an interrupted run left: delta files the manifest does not name, temporary
    /// files and scratch directories. Returns their names.
    private func removeLeftovers(in archive: String, manifest: ArchiveManifest) throws(ArchiveError) -> [String] {
        let named = Set(manifest.entries.map(\.file))
        var removed: [String] = []
        let names: [String]
        do {
            names = try FileSystem.contents(ofDirectory: archive)
        } catch {
            throw ArchiveError(error)
        }
        for name in names where ArchiveLayout.isLeftover(name, named: named) {
            do {
                try FileSystem.removeTree(Path.join(archive, name))
            } catch {
                throw ArchiveError(error)
            }
            removed.append(name)
        }
        return removed
    }

    private func remove(_ path: String) throws(ArchiveError) {
        do {
            try FileSystem.remove(path)
        } catch {
            throw ArchiveError(error)
        }
    }
}

/// What files of an archive directory are.
enum ArchiveLayout {
    /// Whether `name` is debris of an interrupted run: an unnamed delta file, a temporary file
    /// or a scratch directory.
    static func isLeftover(_ name: String, named: Set<String>) -> Bool {
        (name.hasSuffix(".ckptdelta") && !named.contains(name)) || name.contains(".tempstate") || name.hasPrefix(ScratchSpace.prefix)
    }
}

/// What one archive run did.
public struct ArchiveRunReport: Sendable {
    /// A checkpoint the run did not archive, and why.
    public struct Skipped: Sendable {
        public let checkpoint: String
        public let reason: String
    }

    public internal(set) var added: [ArchiveEntry] = []
    public internal(set) var skipped: [Skipped] = []
    /// Leftovers of interrupted runs that were removed.
    public internal(set) var removed: [String] = []
}

/// Progress of an archive run.
public enum ArchiveEvent: Sendable {
    case added(ArchiveEntry)
    case skipped(ArchiveRunReport.Skipped)
    case removed(leftover: String)
}
