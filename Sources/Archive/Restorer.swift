import Delta
import Glibc
import MappedIO
import Parallelism
import TensorBundle

/// Rebuilds an archived step, byte for byte, into a directory TensorFlow can resume from.
public struct Restorer: Sendable {
    public var jobs = Parallelism.availableCores

    public init() {}

    /// Restores `step` (the newest step when nil) from the archive in `archive` into
    /// `directory`, under the checkpoint's original name, and records it in the directory's
    /// `checkpoint` state file so that `tf.train.latest_checkpoint` finds it. Intermediate
    /// links are built in a hidden scratch directory inside `directory` and removed; the
    /// checkpoint's own files appear only once they match the hashes the archive recorded.
    @discardableResult
    public func restore(archive: String, step: Int64?, into directory: String, overwrite: Bool) throws(ArchiveError) -> ArchiveEntry {
        let manifest = try ArchiveManifest.existing(directory: archive)
        guard let entry = step.map(manifest.entry(step:)) ?? manifest.entries.last else {
            let held =
                manifest.entries.isEmpty
                ? "no steps" : "steps \(manifest.entries[0].step)...\(manifest.entries[manifest.entries.count - 1].step)"
            throw ArchiveError(.noSuchStep, "\(archive): \(step.map { "no step \($0)" } ?? "no steps") in the archive (it holds \(held))")
        }
        let rebuilder = ChainRebuilder(directory: archive, manifest: manifest, applier: applier)
        if !overwrite {
            try refuseExistingOutputs(of: entry, rebuilder: rebuilder, directory: directory)
        }
        do {
            try FileSystem.createDirectory(directory)
        } catch {
            throw ArchiveError(error)
        }
        // Companions are checked before any work and written before the bundle, whose index
        // appears last: a visible `.index` means the whole checkpoint is there.
        let companions = try entry.companions.map { (companion) throws(ArchiveError) in (companion, try companion.contents(in: archive)) }
        let scratch = try ScratchSpace(parent: directory)
        var written: [String] = []
        do throws(ArchiveError) {
            for (companion, bytes) in companions {
                let path = Path.join(directory, companion.name)
                do {
                    try OutputFile.write(bytes, to: path, overwrite: overwrite)
                } catch {
                    throw ArchiveError(error)
                }
                written.append(path)
            }
            _ = try rebuilder.rebuild(entry, into: directory, overwrite: overwrite, scratch: scratch)
        } catch {
            // Only what this restore wrote, and only when it did not overwrite anything.
            if !overwrite { for path in written { try? FileSystem.remove(path) } }
            throw error
        }
        try Self.record(entry.checkpoint, in: directory)
        return entry
    }

    var applier: DeltaApplier {
        var applier = DeltaApplier()
        applier.jobs = jobs
        return applier
    }

    /// Fails before any work when a file of the restored checkpoint already exists.
    private func refuseExistingOutputs(of entry: ArchiveEntry, rebuilder: ChainRebuilder, directory: String) throws(ArchiveError) {
        let target: BundleIdentity
        do {
            target = try DeltaFile(path: rebuilder.path(of: entry)).manifest.target
        } catch {
            throw ArchiveError(error)
        }
        let names = [target.index.name] + target.dataFiles.map(\.name) + entry.companions.map(\.name)
        for name in names where FileSystem.exists(Path.join(directory, name)) {
            throw ArchiveError(.exists, "\(Path.join(directory, name)): already exists (use --force to overwrite)")
        }
    }

    /// Makes `checkpoint` the newest checkpoint of `directory`'s state file, keeping the
    /// checkpoints it already lists; the file is replaced atomically.
    static func record(_ checkpoint: String, in directory: String) throws(ArchiveError) {
        let path = Path.join(directory, CheckpointDirectory.stateFileName)
        var state = CheckpointState()
        if FileSystem.exists(path) {
            let text: [UInt8]
            do {
                text = try MappedFile(path: path).withUnsafeBytes { Array($0) }
            } catch {
                throw ArchiveError(error)
            }
            do {
                state = try CheckpointState(parsing: text)
            } catch {
                throw ArchiveError(.corrupt, "\(path): cannot be updated, it does not parse (\(error))")
            }
        }
        state.modelCheckpointPath = checkpoint
        if !state.allModelCheckpointPaths.contains(checkpoint) {
            let timestamped = state.allModelCheckpointTimestamps.count == state.allModelCheckpointPaths.count
            state.allModelCheckpointPaths.append(checkpoint)
            if timestamped && !state.allModelCheckpointTimestamps.isEmpty {
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                state.allModelCheckpointTimestamps.append(Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
            }
        }
        do {
            try OutputFile.write(Array(state.formatted().utf8), to: path, overwrite: true)
        } catch {
            throw ArchiveError(error)
        }
    }
}
