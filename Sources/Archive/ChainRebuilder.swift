import Delta
import MappedIO
import Parallelism
import Verification

/// Rebuilds archived steps by applying their chains, keyframe first, each link checked
/// against the manifest before it is used. Intermediate steps live in scratch space and are
/// removed as soon as the next link is built, so at most two checkpoints exist at a time.
struct ChainRebuilder {
    let directory: String
    let manifest: ArchiveManifest
    let applier: DeltaApplier
    /// Told the bytes of the steps each rebuild applies, then the bytes rebuilt.
    var progress: WorkProgress? = nil

    /// A step rebuilt into a directory.
    struct Rebuilt {
        let entry: ArchiveEntry
        /// The directory that holds its files.
        let directory: String
        var prefix: String { Path.join(directory, entry.checkpoint) }
    }

    /// Rebuilds `entry` into `output` (a fresh scratch slot when nil), replacing there only what
    /// `replacing` allows. When `reuse` is a link of the entry's chain, the chain starts from it
    /// instead of its keyframe.
    func rebuild(
        _ entry: ArchiveEntry, into output: String?, replacing: Replacement = .never, scratch: ScratchDirectory, reuse: Rebuilt? = nil
    ) throws -> Rebuilt {
        let links = try manifest.chain(to: entry)
        var base: Rebuilt? = nil
        var start = 0
        if let reuse, let position = links.firstIndex(where: { $0.step == reuse.entry.step }) {
            base = reuse
            start = position + 1
        }
        if start == links.count, let base { return base }
        progress?.plan(links[start...].reduce(0) { $0 + Int64($1.rawSize) })
        var baseTarget: BundleIdentity? = nil
        for (position, link) in links.enumerated().dropFirst(start) {
            let last = position == links.count - 1
            let target = last ? output ?? scratch.slot() : scratch.slot()
            baseTarget = try checkLink(link, baseTarget: baseTarget)
            var applier = applier
            applier.progress = progress?.withoutPlanning
            // Only the requested output goes to the disk and is flushed there; scratch
            // checkpoints stay in the page cache, where the next link reads them at once.
            applier.durable = target == output
            applier.directWrites = target == output
            do {
                try applier.apply(delta: path(of: link), base: base?.prefix, into: target, replacing: last ? replacing : .never)
            } catch {
                if target != output { scratch.discard(target) }
                throw error
            }
            if let previous = base, previous.directory != reuse?.directory { scratch.discard(previous.directory) }
            base = Rebuilt(entry: link, directory: target)
        }
        return base!
    }

    /// The path of an entry's delta file.
    func path(of entry: ArchiveEntry) -> String {
        Path.join(directory, entry.file)
    }

    /// Checks a link before it is applied: its file is the one the manifest recorded and its
    /// delta is what the manifest says it is (``problems(of:delta:manifest:baseTarget:)``).
    /// Returns the target identity the delta rebuilds, for the next link's check.
    private func checkLink(_ entry: ArchiveEntry, baseTarget: BundleIdentity?) throws -> BundleIdentity {
        try checkFile(of: entry)
        let delta = try DeltaFile(path: path(of: entry)).manifest
        if let problem = Self.problems(of: entry, delta: delta, manifest: manifest, baseTarget: baseTarget).first {
            throw ArchiveError(.corrupt, "\(path(of: entry)): \(problem.message)")
        }
        return delta.target
    }

    /// A disagreement between the manifest and a delta's own header.
    struct LinkProblem {
        let code: Finding.Code
        let message: String
    }

    /// How an entry's delta disagrees with the manifest: another target checkpoint or size, a
    /// base where a keyframe has none (or the reverse), a base step missing, later, or at the
    /// wrong depth, or (when `baseTarget`, the base step's own target, is known) a base other
    /// than that step byte for byte.
    static func problems(of entry: ArchiveEntry, delta: Manifest, manifest: ArchiveManifest, baseTarget: BundleIdentity?) -> [LinkProblem] {
        var problems: [LinkProblem] = []
        let raw = delta.target.totalSize
        if delta.target.name != entry.checkpoint || raw != entry.rawSize {
            problems.append(
                LinkProblem(
                    code: .chainTarget,
                    message:
                        "holds \(delta.target.name) (\(raw) bytes), the manifest says step \(entry.step) is \(entry.checkpoint) (\(entry.rawSize) bytes)"
                ))
        }
        guard let baseStep = entry.baseStep else {
            if delta.base != nil || entry.depth != 0 {
                problems.append(
                    LinkProblem(code: .chainKeyframe, message: "step \(entry.step) is listed as a keyframe but its delta needs a base"))
            }
            return problems
        }
        guard let base = manifest.entry(step: baseStep), baseStep < entry.step, let deltaBase = delta.base else {
            problems.append(
                LinkProblem(
                    code: .chainBaseMissing,
                    message: "step \(entry.step) depends on step \(baseStep), which the archive does not hold or its delta does not name"))
            return problems
        }
        if entry.depth != base.depth + 1 {
            problems.append(
                LinkProblem(code: .chainDepth, message: "step \(entry.step) is listed at depth \(entry.depth), its base at \(base.depth)"))
        }
        if deltaBase.name != base.checkpoint {
            problems.append(
                LinkProblem(
                    code: .chainBaseMismatch,
                    message: "step \(entry.step) was made against \(deltaBase.name), not \(base.checkpoint) (step \(baseStep))"))
        } else if let baseTarget, !deltaBase.holdsSameBytes(as: baseTarget) {
            problems.append(
                LinkProblem(
                    code: .chainBaseMismatch,
                    message: "step \(entry.step) was made against \(deltaBase), not step \(baseStep) (\(baseTarget))"))
        }
        return problems
    }

    /// Checks that an entry's file is the one the manifest recorded: its size from the file
    /// system first (a file of another size is not read, whatever its size), then its XXH3-128.
    func checkFile(of entry: ArchiveEntry) throws {
        let path = path(of: entry)
        if case .regular(let size) = FileSystem.kind(of: path), size != entry.size {
            throw ArchiveError(.corrupt, "\(path): does not match the archive manifest (\(size) bytes; expected \(entry.size) bytes)")
        }
        let digest = try FileDigest.of(path: path)
        guard digest.size == entry.size, digest.hash == entry.hash else {
            throw ArchiveError(
                .corrupt,
                "\(path): does not match the archive manifest (\(digest.size) bytes, XXH3-128 \(digest.hash); expected \(entry.size) bytes, \(entry.hash))"
            )
        }
    }
}
