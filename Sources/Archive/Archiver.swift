import Checksums
import Delta
import MappedIO
import Parallelism
import TensorBundle
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
    public var events: (@Sendable (ArchiveEvent) -> Void)?
    /// Told the bytes of the checkpoints a run will add, then, checkpoint by checkpoint, the
    /// bytes encoded (all of a checkpoint's once it is added or skipped).
    public var progress: WorkProgress?
    /// Where the archive is kept when the directory worked in is only a staging copy of it.
    public var publisher: (any ArchivePublisher)?
    /// Files of the archive that cannot be read now (objects in an archive storage class): a
    /// step whose base chain needs one of them starts a new chain with a keyframe instead.
    public var unreadable: Set<String> = []

    public init() {}

    /// The name of the lock file in an archive directory.
    public static let lockName = ".lock"

    /// Archives every checkpoint of the training directory `run` not yet in the archive at
    /// `archive` (created if needed); see ``archive(_:into:)``.
    public func archive(run runPath: String, into archive: String) throws -> ArchiveRunReport {
        var source = try TrainingDirectory(path: runPath)
        return try self.archive(&source, into: archive)
    }

    /// Archives every checkpoint of `source` not yet in the archive at `archive` (created if
    /// needed), in one run: one lock, one reading of the manifest, one reconciliation, and each
    /// new checkpoint staged, verified and hashed in one pass, then encoded.
    ///
    /// - Throws: ``ArchiveError`` with ``ArchiveError/Code/usage`` when the source holds no
    ///   checkpoint at all (naming what it holds instead), or the archive directory is not one;
    ///   what staging a checkpoint throws.
    public func archive(_ source: inout some CheckpointSource, into archive: String) throws -> ArchiveRunReport {
        let run = try Self.checked(source.run)
        let runPath = run.path
        // A new archive goes into an empty directory (or none): refused before anything is
        // written into a directory that holds something else.
        if FileSystem.exists(archive), !FileSystem.exists(Path.join(archive, ArchiveManifest.fileName)) {
            // What a run killed before its first manifest leaves is ours; anything else is not.
            let foreign = try ArchiveLayout.names(in: archive).filter { $0 != Self.lockName && !ArchiveLayout.isDebris($0) }
            guard foreign.isEmpty else {
                throw ArchiveError(
                    .usage,
                    "\(archive): not an archive (no \(ArchiveManifest.fileName)) and not empty (\(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")); archive into a new or empty directory"
                )
            }
        }
        try FileSystem.createDirectory(archive)
        // Cleaning up the archive must never touch a training directory's own temporary files.
        guard FileSystem.canonicalPath(archive) != FileSystem.canonicalPath(runPath) else {
            throw ArchiveError(.usage, "\(archive): the archive cannot be the training directory itself")
        }
        let lock = try DirectoryLock(directory: archive, name: Self.lockName)
        defer { withExtendedLifetime(lock) {} }
        var manifest: ArchiveManifest
        if let existing = try ArchiveManifest.load(directory: archive) {
            manifest = existing
        } else {
            // The manifest is written before anything else, so every later file lies in a
            // directory that is an archive.
            manifest = ArchiveManifest()
            try commit(manifest, archive)
        }
        var report = ArchiveRunReport()
        try reconcile(archive, manifest: &manifest, report: &report)
        func skip(_ name: String, _ reason: String) {
            report.skip(name, reason: reason)
            events?(.skipped(report.skipped[report.skipped.count - 1]))
        }
        for (name, reason) in run.ignored { skip(name, reason) }
        let added = run.checkpoints.filter { manifest.entry(step: $0.step) == nil }
        // Each checkpoint's data files are listed and measured once, for the plan and its step.
        let sizes = progress == nil ? [] : added.map(source.dataBytes(of:))
        progress?.plan(sizes.reduce(0, +))
        var carried: Carried? = nil
        for (number, checkpoint) in added.enumerated() {
            let step = progress.map { StepProgress(limit: sizes[number], parent: $0) }
            defer { step?.finish() }
            // The names this step may be written under must be free: a file there is not ours to replace.
            if let taken = [false, true].map({ ArchiveLayout.fileName(of: checkpoint.name, keyframe: $0) })
                .first(where: { FileSystem.exists(Path.join(archive, $0)) })
            {
                skip(checkpoint.name, "not archived, \(taken) is in the way (not listed, not written by this tool); move it elsewhere")
                continue
            }
            try source.stage(checkpoint)
            // Companions first: a run killed after the delta is linked leaves them for the
            // next run, which lists the delta again with them.
            let found: [(path: String, digest: FileDigest)]
            do {
                found = try Companion.find(prefix: checkpoint.prefix)
            } catch {
                skip(checkpoint.name, "not archived, \(error)")
                continue
            }
            var companions: [Companion] = []
            for (path, digest) in found {
                companions.append(try Companion.store(path, digest: digest, in: archive, manifest: manifest))
            }
            // The checkpoint is verified, hashed and encoded in one pass over its files; the base
            // still in the run is the previous step's checkpoint, known by the hashes taken as it
            // was encoded while its files stay as they were.
            let versions = Self.versions(of: checkpoint.prefix)
            let base = try base(for: checkpoint.step, in: manifest)
            let added: Added
            do {
                added = try add(
                    checkpoint, base: base, localBase: localBase(of: base, run: run, carried: carried), archive: archive,
                    manifest: manifest, progress: step?.progress)
            } catch  where Self.isFailure(error, ofReading: checkpoint.prefix) {
                skip(checkpoint.name, "not archived, it fails verification: \(error)")
                continue
            }
            carried = versions == Self.versions(of: checkpoint.prefix) ? (checkpoint.prefix, added.target, versions) : nil
            let entry = added.entry.with(companions: companions)
            for file in [entry.file] + companions.map(\.file) { try publisher?.publish(file: file, in: archive) }
            manifest.add(entry)
            try commit(manifest, archive)
            report.added.append(entry)
            events?(.added(entry))
        }
        return report
    }

    /// The checkpoint archived last in this run: its prefix, its identity (hashed as it was
    /// encoded) and the versions of its files then.
    private typealias Carried = (prefix: String, identity: BundleIdentity, versions: [FileVersion?])

    /// The versions of the files of the checkpoint at `prefix` (its index, then its data files).
    private static func versions(of prefix: String) -> [FileVersion?] {
        BundleFiles.existing(prefix: prefix).map(FileVersion.init(path:))
    }

    /// The identity of the files of the archived `base` in the run directory, when they are
    /// there and could be read: carried from the step that encoded them while they are as they
    /// were then, else hashed.
    private func localBase(of base: ArchiveEntry?, run: TrainingRun, carried: Carried?) -> (prefix: String, identity: BundleIdentity)? {
        guard let base else { return nil }
        let prefix = Path.join(run.path, base.checkpoint)
        guard FileSystem.exists(prefix + ".index") else { return nil }
        if let carried, carried.prefix == prefix, carried.versions == Self.versions(of: prefix) { return (prefix, carried.identity) }
        return (try? creator(nil).identity(hashing: prefix)).map { (prefix, $0) }
    }

    /// Whether `error` says that the checkpoint at `prefix` cannot be archived as it is
    /// (damaged, or its files unreadable or gone), rather than that the archive failed.
    private static func isFailure(_ error: any Error, ofReading prefix: String) -> Bool {
        if let error = error as? DeltaError { return error.code == .damagedInput }
        guard let error = error as? FileError else { return false }
        return error.path.hasPrefix(prefix + ".")
    }

    /// The creator of a step's deltas; `target` and `base`, the identities of the checkpoint it
    /// encodes and of the base it encodes against, when they were hashed already.
    private func creator(_ progress: WorkProgress?, target: BundleIdentity? = nil, base: BundleIdentity? = nil) -> DeltaCreator {
        var creator = DeltaCreator()
        creator.progress = progress
        creator.level = level
        creator.jobs = jobs
        // A checkpoint is verified as it is first encoded, and trusted once hashed; a base is
        // either the archived step's own bytes (equal hashes) or rebuilt from the archive, hash
        // by hash.
        creator.inputCheck = target == nil ? .verify : .trusted
        creator.targetIdentity = target
        creator.baseIdentity = base
        return creator
    }

    /// `run`, which must hold a checkpoint (one with a step, or one left out for a reason the
    /// run reports).
    private static func checked(_ run: TrainingRun) throws -> TrainingRun {
        guard !run.checkpoints.isEmpty || !run.ignored.isEmpty else {
            throw ArchiveError(.usage, "\(run.path): nothing to archive, no checkpoint in this directory (\(run.contents))")
        }
        return run
    }

    /// The step a new delta of `step` is made against: the newest step before it, unless the
    /// chain would grow past ``maxChain`` or needs a file that cannot be read now; nil for a
    /// keyframe.
    private func base(for step: Int64, in manifest: ArchiveManifest) throws -> ArchiveEntry? {
        guard let base = manifest.predecessor(of: step), base.depth < maxChain,
            try manifest.chain(to: base).allSatisfy({ !unreadable.contains($0.file) })
        else { return nil }
        return base
    }

    /// What ``archive(run:into:)`` would do, without writing, locking or reading a checkpoint's
    /// data: each new step and how it would be stored, and the checkpoints it would leave out
    /// (those a run finds damaged only when it verifies them are not known yet).
    public func plan(run runPath: String, into archive: String) throws -> ArchivePlan {
        let run = try Self.checked(TrainingRun(path: runPath))
        var manifest = try ArchiveManifest.load(directory: archive) ?? ArchiveManifest()
        var plan = ArchivePlan(skipped: run.ignored.map { ArchiveRunReport.Skipped(checkpoint: $0.name, reason: $0.reason) })
        for checkpoint in run.checkpoints where manifest.entry(step: checkpoint.step) == nil {
            let base = try base(for: checkpoint.step, in: manifest)
            let entry = ArchiveEntry(
                step: checkpoint.step, checkpoint: checkpoint.name,
                file: ArchiveLayout.fileName(of: checkpoint.name, keyframe: base == nil),
                size: 0, hash: XXH128Digest(high: 0, low: 0), baseStep: base?.step, depth: base.map { $0.depth + 1 } ?? 0, rawSize: 0)
            plan.added.append(entry)
            manifest.add(entry)
        }
        return plan
    }

    /// A step's entry (not yet in the manifest) and the identity of its checkpoint, hashed as it
    /// was encoded.
    private struct Added {
        let entry: ArchiveEntry
        let target: BundleIdentity
    }

    /// Writes the delta file of one checkpoint against the archived `base` (a keyframe when
    /// nil), which the first encoding verifies and hashes as it reads it (a keyframe tried after
    /// a delta trusts what that one hashed).
    private func add(
        _ checkpoint: TrainingRun.Checkpoint, base: ArchiveEntry?, localBase: (prefix: String, identity: BundleIdentity)?,
        archive: String, manifest: ArchiveManifest, progress: WorkProgress?
    ) throws -> Added {
        let deltaFile = ArchiveLayout.fileName(of: checkpoint.name, keyframe: false)
        let keyframeFile = ArchiveLayout.fileName(of: checkpoint.name, keyframe: true)
        guard let base else {
            let alone = try create(nil, checkpoint, nil, keyframeFile, archive, progress)
            return try added(checkpoint, file: keyframeFile, base: nil, archive: archive, written: alone)
        }
        let written = try createDelta(
            checkpoint, localBase: localBase, against: base, file: deltaFile, archive: archive, manifest: manifest, progress: progress)
        // A delta that is not smaller than a keyframe would be is replaced by one.
        let keyframe = manifest.entries.last { $0.isKeyframe && $0.step < checkpoint.step }
        let estimate = keyframe.map { Double($0.size) / Double(max($0.rawSize, 1)) * Double(written.rawSize) } ?? 0
        if Double(written.size) >= estimate {
            let alone = try create(nil, checkpoint, written.manifest.target, keyframeFile, archive, progress)
            if alone.size <= written.size {
                try remove(Path.join(archive, deltaFile))
                return try added(checkpoint, file: keyframeFile, base: nil, archive: archive, written: alone)
            }
            try remove(Path.join(archive, keyframeFile))
        }
        return try added(checkpoint, file: deltaFile, base: base, archive: archive, written: written)
    }

    /// What a created delta file holds: its size and the target's raw size.
    private struct Written {
        let size: Int
        let rawSize: Int
        let manifest: Manifest
    }

    /// `identity` is the checkpoint's when it was hashed already (else it is verified and hashed
    /// as it is encoded); `baseIdentity`, the base's.
    private func create(
        _ base: String?, _ checkpoint: TrainingRun.Checkpoint, _ identity: BundleIdentity?, _ file: String, _ archive: String,
        _ progress: WorkProgress?, baseIdentity: BundleIdentity? = nil
    ) throws -> Written {
        let path = Path.join(archive, file)
        let manifest = try creator(progress, target: identity, base: baseIdentity).create(
            base: base, target: checkpoint.prefix, output: path)
        guard case .regular(let size) = FileSystem.kind(of: path) else { throw ArchiveError(.io, "\(path): vanished after it was written") }
        let target = manifest.target
        return Written(size: size, rawSize: target.totalSize, manifest: manifest)
    }

    /// A delta against the archived `base`: made from the base's files in the run directory
    /// when they hold its bytes, else from the base rebuilt out of the archive.
    private func createDelta(
        _ checkpoint: TrainingRun.Checkpoint, localBase: (prefix: String, identity: BundleIdentity)?, against base: ArchiveEntry,
        file: String, archive: String, manifest: ArchiveManifest, progress: WorkProgress?
    ) throws -> Written {
        let rebuilder = ChainRebuilder(directory: archive, manifest: manifest, applier: applier)
        let expected = try DeltaFile(path: rebuilder.path(of: base)).manifest.target
        if let localBase, localBase.identity == expected {
            do {
                return try create(localBase.prefix, checkpoint, nil, file, archive, progress, baseIdentity: expected)
            } catch  where Self.isFailure(error, ofReading: checkpoint.prefix) {
                throw error
            } catch {
                // The base's files failed as they were read (half deleted by max_to_keep, say):
                // the base is rebuilt from the archive instead.
            }
        }
        let scratch = try ArchiveLayout.scratch(in: archive)
        let rebuilt = try rebuilder.rebuild(base, into: nil, scratch: scratch)
        // The rebuilt files were checked against the identity the base's delta records.
        return try create(rebuilt.prefix, checkpoint, nil, file, archive, progress, baseIdentity: expected)
    }

    private var applier: DeltaApplier {
        var applier = DeltaApplier()
        applier.jobs = jobs
        return applier
    }

    private func added(
        _ checkpoint: TrainingRun.Checkpoint, file: String, base: ArchiveEntry?, archive: String, written: Written
    ) throws -> Added {
        let target = written.manifest.target
        return Added(
            entry: try ArchiveLayout.entry(file: file, target: target, step: checkpoint.step, base: base, archive: archive),
            target: target)
    }

    /// Brings the directory back in line with the manifest after an interrupted run or a lost
    /// entry. Only what this tool provably wrote is removed: temporary files of its own outputs,
    /// scratch directories, and a second encoding of a listed step under that step's other file
    /// name. A complete delta the manifest does not list is re-listed when its chain holds (the
    /// run that wrote it was killed before the manifest, or the manifest lost its entry); any
    /// other file is kept and reported.
    private func reconcile(_ archive: String, manifest: inout ArchiveManifest, report: inout ArchiveRunReport) throws {
        let survey = try ArchiveLayout.survey(archive, manifest: manifest)
        for name in survey.debris {
            let path = Path.join(archive, name)
            if name.hasPrefix(ArchiveLayout.scratchPrefix) {
                // A scratch directory a living command holds (a restore into the archive) is its own.
                guard ScratchDirectory.removeIfAbandoned(path) else { continue }
            } else {
                try FileSystem.removeTree(path)
            }
            report.removed.append(name)
            events?(.removed(leftover: name))
        }
        for candidate in survey.unlisted {
            switch try ArchiveLayout.adoption(of: candidate, in: archive, manifest: manifest) {
            case .adopt(let entry):
                manifest.add(entry)
                try commit(manifest, archive)
                report.adopted.append(entry)
                events?(.adopted(entry))
            case .redundant:
                try remove(Path.join(archive, candidate.file))
                try publisher?.remove(file: candidate.file)
                report.removed.append(candidate.file)
                events?(.removed(leftover: candidate.file))
            case .keep(let reason):
                report.kept.append(candidate.file)
                events?(.kept(file: candidate.file, reason: reason))
            }
        }
        for name in survey.foreign {
            report.kept.append(name)
            events?(.kept(file: name, reason: "not a delta of this archive; left alone"))
        }
    }

    /// Saves the manifest, and publishes it where the archive is kept.
    private func commit(_ manifest: ArchiveManifest, _ archive: String) throws {
        try manifest.save(directory: archive)
        try publisher?.publishManifest(in: archive)
    }

    private func remove(_ path: String) throws {
        try FileSystem.remove(path)
    }
}

/// What an archive run would do (``Archiver/plan(run:into:)``).
public struct ArchivePlan: Sendable {
    /// The steps it would add, in step order, each with the base it would be made against
    /// (a delta replaced by a keyframe when the keyframe is smaller is not foreseen); sizes and
    /// hashes are not known yet and are zero.
    public internal(set) var added: [ArchiveEntry] = []
    /// The checkpoints it would leave out.
    public let skipped: [ArchiveRunReport.Skipped]
}

/// What one archive run did.
public struct ArchiveRunReport: Sendable {
    /// A checkpoint the run did not archive, and why.
    public struct Skipped: Sendable {
        public let checkpoint: String
        public let reason: String
    }

    public init() {}

    /// Records that `checkpoint` was left out, and why (`not archived, …`).
    public mutating func skip(_ checkpoint: String, reason: String) {
        skipped.append(Skipped(checkpoint: checkpoint, reason: reason))
    }

    /// Adds what another run of the same archive did (a run made of several passes).
    public mutating func append(_ other: ArchiveRunReport) {
        added += other.added
        skipped += other.skipped
        removed += other.removed
        adopted += other.adopted
        kept += other.kept
    }

    public internal(set) var added: [ArchiveEntry] = []
    public internal(set) var skipped: [Skipped] = []
    /// Leftovers of interrupted runs that were removed.
    public internal(set) var removed: [String] = []
    /// Complete deltas the manifest did not list, listed again.
    public internal(set) var adopted: [ArchiveEntry] = []
    /// Files the run did not write or cannot place, left where they are.
    public internal(set) var kept: [String] = []
}

/// Progress of an archive run.
public enum ArchiveEvent: Sendable {
    case added(ArchiveEntry)
    case skipped(ArchiveRunReport.Skipped)
    case removed(leftover: String)
    /// An unlisted complete delta listed again.
    case adopted(ArchiveEntry)
    /// A file left alone, and why.
    case kept(file: String, reason: String)
}
