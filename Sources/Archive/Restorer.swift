import Delta
import Glibc
import MappedIO
import Parallelism
import TensorBundle

/// Rebuilds an archived step, byte for byte, into a directory TensorFlow can resume from.
public struct Restorer: Sendable {
    public var jobs = Parallelism.availableCores
    /// Told the bytes of the steps the restore rebuilds, then the bytes rebuilt.
    public var progress: WorkProgress?

    public init() {}

    /// What a restore did.
    public struct Restored: Sendable {
        /// The step restored.
        public let entry: ArchiveEntry
        /// What became of the directory's `checkpoint` state file.
        public let state: StateFile
    }

    /// What a restore did to the `checkpoint` state file of the directory it wrote into.
    public enum StateFile: Sendable, Hashable {
        /// There was none; one now names the restored checkpoint as the latest.
        case created
        /// It named the restored checkpoint as the latest already.
        case unchanged
        /// It now names the restored checkpoint as the latest (`--force`), keeping every
        /// checkpoint it listed.
        case updated
        /// It was left as it was: it names `latest` as the newest checkpoint (nil when it names
        /// none or does not parse), and `reason` says why it was kept. A training job resuming
        /// from the directory does not start from the restored step.
        case kept(latest: String?, reason: String)
    }

    /// Restores `step` (the newest step when nil) from the archive in `archive` into
    /// `directory`, under the checkpoint's original name. Files already there are replaced
    /// only as `replacing` allows (never a file of the archive).
    ///
    /// The directory's `checkpoint` state file is written so that `tf.train.latest_checkpoint`
    /// finds the restored step when there is none; an existing one, which a training run
    /// resumes from, is changed only when `replacing` allows replacing files, and only when it
    /// can be changed faithfully (its latest checkpoint is among those it lists, its
    /// timestamps match its list). Intermediate links are built in a hidden scratch directory
    /// inside `directory` and removed (a killed restore's is removed by the next one); the
    /// checkpoint's own files appear only once they match the hashes the archive recorded.
    @discardableResult
    public func restore(
        archive: String, step: Int64?, into directory: String, replacing: Replacement = .never
    ) throws -> Restored {
        let manifest = try ArchiveManifest.existing(directory: archive)
        guard let entry = step.map(manifest.entry(step:)) ?? manifest.entries.last else {
            let held =
                manifest.entries.isEmpty
                ? "no steps" : "steps \(manifest.entries[0].step)...\(manifest.entries[manifest.entries.count - 1].step)"
            throw ArchiveError(.noSuchStep, "\(archive): \(step.map { "no step \($0)" } ?? "no steps") in the archive (it holds \(held))")
        }
        let replacing = replacing.protecting(
            ((try? FileSystem.contents(ofDirectory: archive)) ?? []).map { Path.join(archive, $0) })
        let rebuilder = ChainRebuilder(directory: archive, manifest: manifest, applier: applier, progress: progress)
        try checkOutputs(of: entry, rebuilder: rebuilder, directory: directory, replacing: replacing)
        try FileSystem.createDirectory(directory)
        // Companions are checked before any work and written before the bundle, whose index
        // appears last: a visible `.index` means the whole checkpoint is there.
        let companions = try entry.companions.map { (companion) throws in (companion, try companion.contents(in: archive)) }
        let scratch = try ArchiveLayout.scratch(in: directory)
        var written: [String] = []
        do throws {
            for (companion, bytes) in companions {
                let path = Path.join(directory, companion.name)
                try OutputFile.write(bytes, to: path, replacing: replacing)
                written.append(path)
            }
            _ = try rebuilder.rebuild(entry, into: directory, replacing: replacing, scratch: scratch)
        } catch {
            // Only what this restore wrote, and only when it did not replace anything.
            if !replacing.allowed { for path in written { try? FileSystem.remove(path) } }
            throw error
        }
        let state = try Self.record(entry.checkpoint, in: directory, replacing: replacing)
        return Restored(entry: entry, state: state)
    }

    var applier: DeltaApplier {
        var applier = DeltaApplier()
        applier.jobs = jobs
        return applier
    }

    /// Fails before any work when a file of the restored checkpoint is in the way.
    private func checkOutputs(
        of entry: ArchiveEntry, rebuilder: ChainRebuilder, directory: String, replacing: Replacement
    ) throws {
        let target = try DeltaFile(path: rebuilder.path(of: entry)).manifest.target
        let names = [target.index.name] + target.dataFiles.map(\.name) + entry.companions.map(\.name)
        for name in names { try replacing.check(Path.join(directory, name)) }
    }

    /// Makes `checkpoint` the newest checkpoint of `directory`'s state file: a new file when
    /// there is none; an existing one only as `replacing` allows and only when that can be
    /// done faithfully, keeping every checkpoint it lists. The file is replaced atomically.
    static func record(_ checkpoint: String, in directory: String, replacing: Replacement) throws -> StateFile {
        let path = Path.join(directory, CheckpointDirectory.stateFileName)
        let text: [UInt8]
        do {
            text = try MappedFile(path: path).withUnsafeBytes { Array($0) }
        } catch  where error.code == .notFound {
            var state = CheckpointState()
            state.modelCheckpointPath = checkpoint
            state.allModelCheckpointPaths = [checkpoint]
            try write(state, to: path, replacing: .never)
            return .created
        } catch {
            return .kept(latest: nil, reason: "it cannot be read (\(error))")
        }
        guard var state = try? CheckpointState(parsing: text) else {
            return .kept(latest: nil, reason: "it does not parse")
        }
        let latest = state.modelCheckpointPath
        if latest == checkpoint { return .unchanged }
        guard replacing.allowed else { return .kept(latest: latest, reason: "restoring with --force makes the step the latest") }
        if let latest, !state.allModelCheckpointPaths.contains(latest) {
            return .kept(latest: latest, reason: "its latest, \(latest), is not among the checkpoints it lists")
        }
        let timestamped = !state.allModelCheckpointTimestamps.isEmpty
        if timestamped && state.allModelCheckpointTimestamps.count != state.allModelCheckpointPaths.count {
            return .kept(latest: latest, reason: "its timestamps do not match the checkpoints it lists")
        }
        state.modelCheckpointPath = checkpoint
        if !state.allModelCheckpointPaths.contains(checkpoint) {
            state.allModelCheckpointPaths.append(checkpoint)
            if timestamped { state.allModelCheckpointTimestamps.append(now()) }
        }
        try write(state, to: path, replacing: replacing)
        return .updated
    }

    private static func write(_ state: CheckpointState, to path: String, replacing: Replacement) throws {
        try OutputFile.write(Array(state.formatted().utf8), to: path, replacing: replacing)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
