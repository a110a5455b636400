import Delta
import Glibc
import MappedIO
import Parallelism
import Verification

/// Checks an archive without changing it: every file against the size and XXH3-128 the
/// manifest recorded, every chain link (each delta's base is the step before it in its chain,
/// byte for byte), and with ``deep`` every step rebuilt and checked against its target hashes.
public struct ArchiveVerifier: Sendable {
    /// Also rebuild every step (in a scratch directory under ``scratchParent``, removed after)
    /// and check the rebuilt files' hashes.
    public var deep = false
    /// Where deep verification rebuilds steps; it needs room for two checkpoints.
    public var scratchParent = ArchiveVerifier.temporaryDirectory
    public var jobs = Parallelism.availableCores

    public init() {}

    /// `$TMPDIR`, or `/tmp`.
    public static var temporaryDirectory: String {
        guard let value = getenv("TMPDIR"), value.pointee != 0 else { return "/tmp" }
        return String(cString: value)
    }

    /// The findings for the archive in `archive`; an archive with no error finding is intact.
    public func verify(archive: String) throws(ArchiveError) -> ArchiveReport {
        let manifest = try ArchiveManifest.existing(directory: archive)
        var applier = DeltaApplier()
        applier.jobs = jobs
        let rebuilder = ChainRebuilder(directory: archive, manifest: manifest, applier: applier)
        var findings: [Finding] = []
        var targets: [Int64: BundleIdentity] = [:]
        for entry in manifest.entries {
            let path = rebuilder.path(of: entry)
            do throws(ArchiveError) {
                try rebuilder.checkFile(of: entry)
            } catch {
                findings.append(Finding(.error, FileSystem.exists(path) ? "file.mismatch" : "file.missing", Self.message(error.cause, about: path), file: path))
                continue
            }
            let delta: Manifest
            do {
                delta = try DeltaFile(path: path).manifest
            } catch {
                findings.append(Finding(.error, "delta.unreadable", Self.message(error.cause, about: path), file: path))
                continue
            }
            targets[entry.step] = delta.target
            findings += links(of: entry, delta: delta, manifest: manifest, targets: targets, path: path)
        }
        findings += leftovers(in: archive, manifest: manifest)
        if deep && !findings.contains(where: { $0.severity == .error }) {
            findings += try rebuildAll(manifest, rebuilder: rebuilder)
        }
        return ArchiveReport(path: archive, manifest: manifest, findings: findings)
    }

    /// A cause without the leading `path: ` (findings name their file separately).
    private static func message(_ cause: String, about path: String) -> String {
        cause.hasPrefix(path + ": ") ? String(cause.dropFirst(path.count + 2)) : cause
    }

    /// Checks that an entry's delta is what the manifest says: its target, its base, its depth.
    private func links(
        of entry: ArchiveEntry, delta: Manifest, manifest: ArchiveManifest, targets: [Int64: BundleIdentity], path: String
    ) -> [Finding] {
        var findings: [Finding] = []
        let raw = delta.target.index.size + delta.target.dataFiles.reduce(0) { $0 + $1.size }
        if delta.target.name != entry.checkpoint || raw != entry.rawSize {
            findings.append(Finding(.error, "chain.target", "holds \(delta.target.name) (\(raw) bytes), the manifest says step \(entry.step) is \(entry.checkpoint) (\(entry.rawSize) bytes)", file: path))
        }
        guard let baseStep = entry.baseStep else {
            if delta.base != nil || entry.depth != 0 {
                findings.append(Finding(.error, "chain.keyframe", "step \(entry.step) is listed as a keyframe but its delta needs a base", file: path))
            }
            return findings
        }
        guard let base = manifest.entry(step: baseStep), baseStep < entry.step else {
            findings.append(Finding(.error, "chain.base-missing", "step \(entry.step) depends on step \(baseStep), which the archive does not hold", file: path))
            return findings
        }
        if entry.depth != base.depth + 1 {
            findings.append(Finding(.error, "chain.depth", "step \(entry.step) is listed at depth \(entry.depth), its base at \(base.depth)", file: path))
        }
        if let baseTarget = targets[baseStep], delta.base?.index.hash != baseTarget.index.hash || delta.base?.dataFiles.map(\.hash) != baseTarget.dataFiles.map(\.hash) {
            findings.append(Finding(.error, "chain.base-mismatch", "step \(entry.step) was made against \(delta.base.map { "\($0)" } ?? "no base"), not step \(baseStep) (\(baseTarget))", file: path))
        }
        return findings
    }

    /// Files an interrupted archive run left (harmless; the next run removes them).
    private func leftovers(in archive: String, manifest: ArchiveManifest) -> [Finding] {
        let named = Set(manifest.entries.map(\.file))
        let names = (try? FileSystem.contents(ofDirectory: archive)) ?? []
        return names.filter { ArchiveLayout.isLeftover($0, named: named) }.map { name in
            Finding(.warning, "file.leftover", "not named by the manifest: left by an interrupted run, the next archive run removes it", file: Path.join(archive, name))
        }
    }

    /// Rebuilds every step in step order, each from the one before it when that is its base.
    private func rebuildAll(_ manifest: ArchiveManifest, rebuilder: ChainRebuilder) throws(ArchiveError) -> [Finding] {
        let scratch = try ScratchSpace(parent: scratchParent)
        var findings: [Finding] = []
        var previous: ChainRebuilder.Rebuilt? = nil
        for entry in manifest.entries {
            do throws(ArchiveError) {
                let rebuilt = try rebuilder.rebuild(entry, into: nil, overwrite: false, scratch: scratch, reuse: previous)
                if let previous { scratch.discard(previous.directory) }
                previous = rebuilt
            } catch {
                findings.append(Finding(.error, "restore.failed", "step \(entry.step) does not rebuild: \(error.cause)", file: rebuilder.path(of: entry)))
            }
        }
        return findings
    }
}

/// What verifying an archive found.
public struct ArchiveReport: Sendable {
    public let path: String
    public let manifest: ArchiveManifest
    public let findings: [Finding]

    public var ok: Bool { !findings.contains { $0.severity == .error } }
}
