import Delta
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
    public var scratchParent = ScratchDirectory.temporaryDirectory
    public var jobs = Parallelism.availableCores
    /// With ``deep``: told the bytes of every step, then the bytes rebuilt.
    public var progress: WorkProgress?

    public init() {}

    /// The findings for the archive in `archive`; an archive with no error finding is intact.
    public func verify(archive: String) throws -> ArchiveReport {
        let manifest = try ArchiveManifest.existing(directory: archive)
        var applier = DeltaApplier()
        applier.jobs = jobs
        let rebuilder = ChainRebuilder(directory: archive, manifest: manifest, applier: applier)
        var findings: [Finding] = []
        var targets: [Int64: BundleIdentity] = [:]
        for entry in manifest.entries {
            let path = rebuilder.path(of: entry)
            do throws {
                try rebuilder.checkFile(of: entry)
            } catch {
                findings.append(
                    Finding(
                        .error, FileSystem.exists(path) ? .fileMismatch : .fileMissing, Self.message("\(error)", about: path), file: path))
                continue
            }
            let delta: Manifest
            do {
                delta = try DeltaFile(path: path).manifest
            } catch {
                findings.append(Finding(.error, .deltaUnreadable, Self.message("\(error)", about: path), file: path))
                continue
            }
            for companion in entry.companions {
                do throws {
                    _ = try companion.contents(in: archive)
                } catch {
                    let companionPath = Path.join(archive, companion.file)
                    findings.append(
                        Finding(
                            .error, FileSystem.exists(companionPath) ? .fileMismatch : .fileMissing,
                            Self.message("\(error)", about: companionPath), file: companionPath))
                }
            }
            targets[entry.step] = delta.target
            let baseTarget = entry.baseStep.flatMap { targets[$0] }
            findings += ChainRebuilder.problems(of: entry, delta: delta, manifest: manifest, baseTarget: baseTarget).map { problem in
                Finding(.error, problem.code, problem.message, file: path)
            }
        }
        findings += try leftovers(in: archive, manifest: manifest)
        if deep && !findings.contains(where: { $0.severity == .error }) {
            findings += try rebuildAll(manifest, rebuilder: rebuilder)
        }
        return ArchiveReport(path: archive, manifest: manifest, findings: findings)
    }

    /// A cause without the leading `path: ` (findings name their file separately).
    private static func message(_ cause: String, about path: String) -> String {
        cause.hasPrefix(path + ": ") ? String(cause.dropFirst(path.count + 2)) : cause
    }

    /// Files the manifest does not list: debris of an interrupted run (the next run removes
    /// it), complete deltas the manifest lost or never got (the next run lists them again when
    /// their chain holds), and files this tool did not write (left alone).
    private func leftovers(in archive: String, manifest: ArchiveManifest) throws -> [Finding] {
        let survey = try ArchiveLayout.survey(archive, manifest: manifest)
        let debris = survey.debris.map { name in
            Finding(.warning, .fileLeftover, "left by an interrupted run: the next archive run removes it", file: Path.join(archive, name))
        }
        let unlisted = survey.unlisted.map { candidate in
            Finding(
                .warning, .fileUnlisted,
                "a complete delta of \(candidate.delta.target.name) that the manifest does not list: the next archive run lists it again if its chain holds",
                file: Path.join(archive, candidate.file))
        }
        let foreign = survey.foreign.map { name in
            Finding(
                .warning, .fileForeign, "not written by this tool (or not a complete delta): left alone", file: Path.join(archive, name))
        }
        return debris + unlisted + foreign
    }

    /// Rebuilds every step in step order, each from the one before it when that is its base.
    private func rebuildAll(_ manifest: ArchiveManifest, rebuilder: ChainRebuilder) throws -> [Finding] {
        let scratch = try ArchiveLayout.scratch(in: scratchParent)
        // Every step once; a chain restarted after a step that does not rebuild counts no more.
        progress?.plan(manifest.entries.reduce(0) { $0 + Int64($1.rawSize) })
        var rebuilder = rebuilder
        rebuilder.progress = progress?.withoutPlanning
        var findings: [Finding] = []
        var previous: ChainRebuilder.Rebuilt? = nil
        for entry in manifest.entries {
            do throws {
                let rebuilt = try rebuilder.rebuild(entry, into: nil, scratch: scratch, reuse: previous)
                if let previous { scratch.discard(previous.directory) }
                previous = rebuilt
            } catch {
                findings.append(
                    Finding(.error, .restoreFailed, "step \(entry.step) does not rebuild: \(error)", file: rebuilder.path(of: entry)))
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

    /// The report of a copy of the archive at `copy` told as about the original at `original`
    /// (an object-store folder verified through a staging directory).
    public func relocated(from copy: String, to original: String) -> ArchiveReport {
        let trimmed = original.hasSuffix("/") ? String(original.dropLast()) : original
        func move(_ text: String) -> String { text.replacing(copy, with: trimmed) }
        let moved = findings.map { finding in
            Finding(
                finding.severity, finding.code, move(finding.message), tensor: finding.tensor, file: finding.file.map(move),
                offset: finding.offset)
        }
        return ArchiveReport(path: trimmed, manifest: manifest, findings: moved)
    }
}
