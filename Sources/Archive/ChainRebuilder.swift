import Delta
import MappedIO

/// Rebuilds archived steps by applying their chains, keyframe first, each link checked
/// against the manifest before it is used. Intermediate steps live in scratch space and are
/// removed as soon as the next link is built, so at most two checkpoints exist at a time.
struct ChainRebuilder {
    let directory: String
    let manifest: ArchiveManifest
    let applier: DeltaApplier

    /// A step rebuilt into a directory.
    struct Rebuilt {
        let entry: ArchiveEntry
        /// The directory that holds its files.
        let directory: String
        var prefix: String { Path.join(directory, entry.checkpoint) }
    }

    /// Rebuilds `entry` into `output` (a fresh scratch slot when nil). When `reuse` is a link of
    /// the entry's chain, the chain starts from it instead of its keyframe.
    func rebuild(
        _ entry: ArchiveEntry, into output: String?, overwrite: Bool, scratch: ScratchSpace, reuse: Rebuilt? = nil
    ) throws(ArchiveError) -> Rebuilt {
        let links = try manifest.chain(to: entry)
        var base: Rebuilt? = nil
        var start = 0
        if let reuse, let position = links.firstIndex(where: { $0.step == reuse.entry.step }) {
            base = reuse
            start = position + 1
        }
        if start == links.count, let base { return base }
        for (position, link) in links.enumerated().dropFirst(start) {
            let last = position == links.count - 1
            let target = last ? output ?? scratch.slot() : scratch.slot()
            try checkFile(of: link)
            var applier = applier
            // Only the requested output goes to the disk and is flushed there; scratch
            // checkpoints stay in the page cache, where the next link reads them at once.
            applier.durable = target == output
            applier.directWrites = target == output
            do {
                try applier.apply(delta: path(of: link), base: base?.prefix, into: target, overwrite: last && overwrite)
            } catch {
                if target != output { scratch.discard(target) }
                throw ArchiveError(error)
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

    /// Checks that an entry's file is the one the manifest recorded (size and XXH3-128).
    func checkFile(of entry: ArchiveEntry) throws(ArchiveError) {
        let digest: FileDigest
        do {
            digest = try FileDigest.of(path: path(of: entry))
        } catch {
            throw ArchiveError(error)
        }
        guard digest.size == entry.size, digest.hash == entry.hash else {
            throw ArchiveError(.corrupt, "\(path(of: entry)): does not match the archive manifest (\(digest.size) bytes, XXH3-128 \(digest.hash); expected \(entry.size) bytes, \(entry.hash))")
        }
    }
}
