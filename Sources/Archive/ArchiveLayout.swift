import Delta
import MappedIO
import TensorBundle

/// What the files of an archive directory are, and which of them this tool may remove.
enum ArchiveLayout {
    /// The delta file of checkpoint `name`: `NAME.key.ckptdelta` for a keyframe, else `NAME.ckptdelta`.
    static func fileName(of name: String, keyframe: Bool) -> String {
        name + (keyframe ? ".key.ckptdelta" : ".ckptdelta")
    }

    /// Prefix of the hidden scratch directories that hold the intermediate checkpoints of a
    /// chain being rebuilt (`.ckptdelta-scratch-<random>`).
    static let scratchPrefix = ".ckptdelta-scratch-"

    /// A new scratch directory in `parent`, after removing those killed commands left there.
    static func scratch(in parent: String) throws -> ScratchDirectory {
        ScratchDirectory.removeAbandoned(in: parent, prefix: scratchPrefix)
        return try ScratchDirectory(in: parent, prefix: scratchPrefix)
    }

    /// The names in an archive directory (its lock file and manifest included).
    static func names(in archive: String) throws -> [String] {
        return try FileSystem.contents(ofDirectory: archive)
    }

    /// A complete delta file the manifest does not list.
    struct Unlisted {
        let file: String
        let delta: Manifest
        /// The step of the checkpoint the delta rebuilds.
        let step: Int64
    }

    /// The files of an archive that its manifest does not list, sorted out.
    struct Survey {
        /// Temporary files of this tool's outputs and its scratch directories: removable.
        var debris: [String] = []
        /// Complete deltas of a checkpoint with a step, named as this tool names them, in step order.
        var unlisted: [Unlisted] = []
        /// Everything else: never removed.
        var foreign: [String] = []
    }

    /// Sorts the files of `archive` that `manifest` does not list.
    static func survey(_ archive: String, manifest: ArchiveManifest) throws -> Survey {
        let listed = Set(manifest.entries.flatMap { [$0.file] + $0.companions.map(\.file) }).union([
            ArchiveManifest.fileName, Archiver.lockName,
        ])
        var foreignCompanions: [String] = []
        var survey = Survey()
        for name in try names(in: archive) where !listed.contains(name) {
            if isDebris(name) {
                survey.debris.append(name)
            } else if name.hasSuffix(".ckptdelta"), let delta = try? DeltaFile(path: Path.join(archive, name)).manifest,
                let step = BundleFiles.step(of: delta.target.name),
                name == fileName(of: delta.target.name, keyframe: delta.base == nil)
            {
                survey.unlisted.append(Unlisted(file: name, delta: delta, step: step))
            } else if name.hasSuffix(".zst") {
                foreignCompanions.append(name)
            } else {
                survey.foreign.append(name)
            }
        }
        // A stored companion of an unlisted delta's checkpoint goes with it; any other is foreign.
        let adoptable = Set(
            survey.unlisted.flatMap { unlisted in Companion.suffixes.map { Companion.storedName(of: unlisted.delta.target.name + $0) } })
        survey.foreign += foreignCompanions.filter { !adoptable.contains($0) }
        survey.foreign.sort()
        survey.unlisted.sort { ($0.step, $0.delta.base == nil ? 0 : 1) < ($1.step, $1.delta.base == nil ? 0 : 1) }
        return survey
    }

    /// Whether `name` is a file only this tool creates in an archive: the temporary file of a
    /// delta, a stored companion or the manifest (`NAME.tempstate<digits>`), or a scratch directory.
    static func isDebris(_ name: String) -> Bool {
        if name.hasPrefix(scratchPrefix) { return true }
        guard let marker = name.ranges(of: ".tempstate").last else { return false }
        let final = name[..<marker.lowerBound]
        let digits = name[marker.upperBound...]
        return !digits.isEmpty && digits.utf8.allSatisfy { (0x30...0x39).contains($0) }
            && (final == ArchiveManifest.fileName || final.hasSuffix(".ckptdelta")
                || Companion.suffixes.contains { final.hasSuffix(Companion.storedName(of: $0)) })
    }

    /// What to do with an unlisted delta.
    enum Adoption {
        /// List it: its chain holds.
        case adopt(ArchiveEntry)
        /// Remove it: the step is listed under its other file name (a delta and a keyframe of
        /// the same step, one of them left by a run killed while choosing).
        case redundant
        /// Leave it, for this reason.
        case keep(String)
    }

    /// Whether `candidate` can be listed: a keyframe, or a delta whose base step is listed and
    /// is byte for byte what the delta was made against.
    static func adoption(of candidate: Unlisted, in archive: String, manifest: ArchiveManifest) throws -> Adoption {
        let name = candidate.delta.target.name
        if let listed = manifest.entry(step: candidate.step) {
            return listed.checkpoint == name && listed.file == fileName(of: name, keyframe: !listed.isKeyframe)
                ? .redundant : .keep("step \(candidate.step) is listed as \(listed.file)")
        }
        var base: ArchiveEntry? = nil
        if let deltaBase = candidate.delta.base {
            guard let step = BundleFiles.step(of: deltaBase.name), step < candidate.step, let entry = manifest.entry(step: step),
                entry.checkpoint == deltaBase.name
            else { return .keep("its base \(deltaBase.name) is not in the archive") }
            let baseTarget: BundleIdentity
            do {
                baseTarget = try DeltaFile(path: Path.join(archive, entry.file)).manifest.target
            } catch {
                return .keep("its base's file \(entry.file) does not read: \(error)")
            }
            guard baseTarget.holdsSameBytes(as: deltaBase) else {
                return .keep("it was made against another \(deltaBase.name) than the archive holds")
            }
            base = entry
        }
        var companions: [Companion] = []
        for suffix in Companion.suffixes {
            let name = candidate.delta.target.name + suffix
            guard FileSystem.exists(Path.join(archive, Companion.storedName(of: name))) else { continue }
            guard let companion = try? Companion.recover(name: name, in: archive) else {
                return .keep("its \(Companion.storedName(of: name)) does not decompress")
            }
            companions.append(companion)
        }
        let entry = try entry(file: candidate.file, target: candidate.delta.target, step: candidate.step, base: base, archive: archive)
        return .adopt(entry.with(companions: companions))
    }

    /// The manifest entry of the delta file `file` (hashed now) that rebuilds `target`.
    static func entry(
        file: String, target: BundleIdentity, step: Int64, base: ArchiveEntry?, archive: String
    ) throws -> ArchiveEntry {
        let digest = try FileDigest.of(path: Path.join(archive, file))
        return ArchiveEntry(
            step: step, checkpoint: target.name, file: file, size: digest.size, hash: digest.hash, baseStep: base?.step,
            depth: base.map { $0.depth + 1 } ?? 0, rawSize: target.totalSize)
    }
}
