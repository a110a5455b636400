import Checksums
import MappedIO
import Parallelism
import TensorBundle
import Zstandard

/// Rebuilds a target checkpoint from a delta (and its base), byte for byte.
///
/// Nothing becomes visible until every rebuilt file matches the XXH3-128 the delta recorded:
/// files are written under temporary names, checked, then renamed, data files first and the
/// index last, so an interrupted apply never leaves what looks like a complete checkpoint.
/// Before anything is written, the base's index is checked byte for byte (its XXH3-128) and
/// its data files by name and size; their bytes are checked by the rebuilt files' hashes, and
/// when one does not match, hashing the base tells a wrong base (named, file by file) from a
/// damaged delta. Reading a terabyte base up front to hash it would double the I/O of apply.
public struct DeltaApplier: Sendable {
    public var jobs = Parallelism.availableCores
    /// Chunks decoded per parallel batch, per job.
    package var batchPerJob = 4
    /// Flush the rebuilt files to disk before renaming them into place; false only for
    /// scratch checkpoints that are thrown away (the intermediate links of a chain).
    public var durable = true
    /// Write data files front to back with O_DIRECT where the file system allows it: no
    /// page-cache pages to allocate and fill, which is most of the cost of writing on many
    /// machines. Off, every run is written through the page cache.
    public var directWrites = true
    /// Bytes of runs produced per O_DIRECT window (0: `jobs × batchPerJob` chunks of 4 MiB).
    var windowBytes = 0
    /// Told the bytes of the files to rebuild (the index and the data files), then the bytes
    /// rebuilt.
    public var progress: WorkProgress?

    public init() {}

    /// Applies `delta` to the checkpoint at `basePrefix` (nil for a delta made without a base)
    /// and writes the target's files into `directory`; returns the manifest. Files already
    /// there are replaced only as `replacing` allows, and never the delta or a file of the base.
    @discardableResult
    public func apply(
        delta path: String, base basePrefix: String?, into directory: String, replacing: Replacement = .never
    ) throws -> Manifest {
        let delta = try DeltaFile(path: path)
        let manifest = delta.manifest
        let replacing = replacing.protecting([path] + (basePrefix.map(BundleFiles.existing) ?? []))
        let baseFiles = try checkBase(manifest.base, prefix: basePrefix, delta: path)
        let outputs = try prepareOutputs(manifest, in: directory, replacing: replacing)
        progress?.plan(Int64(manifest.target.totalSize))
        let rebuilt = try outputs.map { (file) throws in try MappedFile(path: file.temporaryPath) }
        let hashes = try rebuildDataFiles(
            manifest, into: outputs, sources: RunSources(delta: delta, baseFiles: baseFiles, rebuilt: rebuilt))
        let base = manifest.base.flatMap { identity in basePrefix.map { (identity, $0, path) } }
        for (index, digest) in manifest.target.dataFiles.enumerated() {
            // A file the stream wrote whole was hashed on its way out; others are read back.
            let hash: XXH128Digest
            if let streamed = hashes[index] {
                hash = streamed
            } else {
                hash = try FileDigest.of(path: rebuilt[index].path).hash
            }
            try verify(hash, size: rebuilt[index].count, against: digest, base: base)
        }
        let index = try open(Path.join(directory, manifest.target.index.name), replacing: replacing)
        let indexBytes = try rebuildIndex(manifest, delta: delta, basePrefix: basePrefix)
        try write(indexBytes, to: index)
        progress?.advance(Int64(indexBytes.count))
        try verify(indexBytes.withUnsafeBytes { XXH3.hash128($0) }, size: indexBytes.count, against: manifest.target.index, base: nil)
        for file in outputs { try file.commit(durable: durable) }
        try index.commit(durable: durable)
        return manifest
    }

    /// The target's data files under temporary names in `directory`, each allocated at its
    /// final size (runs are then written at their positions); every output path, the index's
    /// too, is checked with `replacing` before anything is written.
    private func prepareOutputs(_ manifest: Manifest, in directory: String, replacing: Replacement) throws -> [OutputFile] {
        let targets = manifest.target.dataFiles.map { Path.join(directory, $0.name) } + [Path.join(directory, manifest.target.index.name)]
        for target in targets { try replacing.check(target) }
        try FileSystem.createDirectory(directory)
        var outputs: [OutputFile] = []
        for digest in manifest.target.dataFiles {
            let file = try open(Path.join(directory, digest.name), replacing: replacing)
            try file.preallocate(digest.size)
            outputs.append(file)
        }
        return outputs
    }

    /// Rebuilds every data file: one without predicted runs streamed front to back where
    /// O_DIRECT works; the others through the page cache, level by level (a predicted run reads
    /// target bytes rebuilt before it), so that their hash, taken once they are complete, is
    /// read from the page cache rather than the disk. Returns each streamed file's XXH3-128.
    private func rebuildDataFiles(
        _ manifest: Manifest, into outputs: [OutputFile], sources: RunSources
    ) throws -> [XXH128Digest?] {
        let writers = try outputs.map { (file) throws(FileError) in try file.positionalWriter() }
        let work = Self.workList(manifest)
        var hashes = [XXH128Digest?](repeating: nil, count: outputs.count)
        var streamed = Set<Int>()
        let predicted = Set(work.filter { $0.run.level > 0 }.map(\.file))
        for (index, file) in outputs.enumerated() where directWrites && !predicted.contains(index) {
            let direct = try file.directWriter()
            guard let direct else { continue }
            hashes[index] = try stream(work.filter { $0.file == index }, to: direct, sources: sources)
            try file.preallocate(manifest.target.dataFiles[index].size)
            streamed.insert(index)
        }
        for level in Set(work.map(\.run.level)).union([0]).sorted() {
            let runs = work.filter { $0.run.level == level && !streamed.contains($0.file) }
            try rebuild(runs, sources: sources, outputs: writers)
        }
        return hashes
    }

    /// Maps the base's data files after checking what is cheap to check: the index whole, the
    /// data files by name and size.
    private func checkBase(_ expected: BundleIdentity?, prefix: String?, delta: String) throws -> [MappedFile] {
        guard let expected else {
            if let prefix { throw DeltaError(.usage, "\(delta) was made without a base; do not give one (\(prefix))") }
            return []
        }
        guard let prefix else { throw DeltaError(.usage, "\(delta) needs its base checkpoint \(expected)") }
        // Sizes first, from the file system: a wrong base is refused without reading it, whatever
        // its size (a terabyte of sparse index would otherwise be hashed before being compared).
        let indexPath = prefix + ".index"
        let named = [(indexPath, expected.index)] + zip(Self.baseDataPaths(expected, prefix: prefix), expected.dataFiles).map { ($0, $1) }
        for (path, needed) in named {
            let problem: String? =
                switch FileSystem.kind(of: path) {
                case .regular(let size): size == needed.size ? nil : "\(path) holds \(size) bytes, the delta needs \(needed.size)"
                case .missing: "\(path) does not exist"
                case .inaccessible(let error): error.description
                default: "\(path) is not a regular file"
                }
            if let problem {
                throw DeltaError(.wrongBase, "\(prefix) is not the base of \(delta) (made against \(expected.name)): \(problem)")
            }
        }
        let index: FileDigest
        let files: [MappedFile]
        do throws {
            index = try FileDigest.of(path: indexPath)
            files = try named.dropFirst().map { (path, _) throws in try MappedFile(path: path) }
        } catch {
            throw DeltaError(.wrongBase, "\(prefix) is not the base of \(delta) (which needs \(expected)): \(error)")
        }
        // A file that changed since its size was taken fails here or in the rebuilt files' hashes.
        if index.size != expected.index.size || index.hash != expected.index.hash {
            throw Self.wrongBase(prefix, delta: delta, expected: expected, path: indexPath, found: index, needed: expected.index)
        }
        return files
    }

    /// The base's data files: found under its own prefix (the base may have been renamed).
    private static func baseDataPaths(_ expected: BundleIdentity, prefix: String) -> [String] {
        expected.dataFiles.map { prefix + String($0.name.dropFirst(expected.name.count)) }
    }

    private static func wrongBase(
        _ prefix: String, delta: String, expected: BundleIdentity, path: String, found: FileDigest, needed: FileDigest
    ) -> DeltaError {
        DeltaError(
            .wrongBase,
            "\(prefix) is not the base of \(delta) (made against \(expected.name)): \(path) holds \(found.size) bytes with XXH3-128 \(found.hash), the delta needs \(needed.size) bytes with \(needed.hash)"
        )
    }

    /// Checks a rebuilt file against its recorded digest; on a mismatch, a base data file that
    /// differs from the one the delta was made against is named (else the delta is damaged).
    private func verify(
        _ hash: XXH128Digest, size: Int, against digest: FileDigest, base: (identity: BundleIdentity, prefix: String, delta: String)?
    ) throws {
        guard hash != digest.hash || size != digest.size else { return }
        if let base {
            for (path, needed) in zip(Self.baseDataPaths(base.identity, prefix: base.prefix), base.identity.dataFiles) {
                let found = try FileDigest.of(path: path)
                if found.hash != needed.hash || found.size != needed.size {
                    throw Self.wrongBase(base.prefix, delta: base.delta, expected: base.identity, path: path, found: found, needed: needed)
                }
            }
        }
        throw DeltaError(
            .hashMismatch,
            "\(digest.name): rebuilt file does not match the delta's record (XXH3-128 \(hash), expected \(digest.hash)); nothing was written"
        )
    }

    /// The runs of every data file at their offsets, copies cut into pieces of at most 8 MiB
    /// (so that every run fits a worker's buffer and a streaming window).
    static func workList(_ manifest: Manifest) -> [(file: Int, offset: Int, run: Run)] {
        let piece = 8 << 20
        var work: [(file: Int, offset: Int, run: Run)] = []
        for (index, plan) in manifest.files.enumerated() {
            var offset = 0
            for run in plan.runs {
                if case .copy(let file, let source, let length, let name) = run, length > piece {
                    for start in stride(from: 0, to: length, by: piece) {
                        work.append(
                            (
                                index, offset + start,
                                .copy(baseFile: file, offset: source + start, length: min(piece, length - start), name: name)
                            ))
                    }
                } else {
                    work.append((index, offset, run))
                }
                offset += run.length
            }
        }
        return work
    }

    /// Rebuilds runs batch by batch in parallel, each produced into its worker's buffer and
    /// written at its position through the page cache. A batch is the runs within
    /// `jobs × batchPerJob` chunks of one file (the many small runs of a sparsely updated
    /// tensor make one batch), and the pages it read are released once it is done: what is
    /// resident stays within that stretch, for a page read maps its neighbours too.
    private func rebuild(_ work: [(file: Int, offset: Int, run: Run)], sources: RunSources, outputs: [PositionalWriter]) throws {
        let stretch = max(1, jobs * batchPerJob) * (4 << 20)
        var start = 0
        while start < work.count {
            var end = start + 1
            while end < work.count, work[end].file == work[start].file,
                work[end].offset + work[end].run.length - work[start].offset <= stretch
            {
                end += 1
            }
            let items = Array(work[start..<end])
            start = end
            defer { sources.release(items.lazy.map(\.run)) }
            let failures = ResultSlots<(any Error)?>(count: items.count, initial: nil)
            ParallelWork.run(count: items.count, jobs: jobs, state: { RunWorker() }) { worker, index in
                let (file, offset, run) = items[index]
                do throws {
                    try worker.output.withPrefix(run.length) { (destination) throws in
                        try sources.produce(run, into: destination, worker: worker)
                        try write(UnsafeRawBufferPointer(destination), at: offset, to: outputs[file])
                        progress?.advance(Int64(run.length))
                    }
                } catch {
                    failures[index] = error
                }
            }
            for index in items.indices {
                if let failure = failures[index] { throw failure }
            }
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int, to output: PositionalWriter) throws {
        try output.write(bytes, at: offset)
    }

    /// The target's index, decompressed against the base's index.
    private func rebuildIndex(_ manifest: Manifest, delta: DeltaFile, basePrefix: String?) throws -> [UInt8] {
        let prefix =
            try basePrefix.map { (prefix) throws in try MappedFile(path: prefix + ".index").withUnsafeBytes { Array($0) } }
            ?? []
        var decompressor = ZstdDecompressor()
        var output: [UInt8] = []
        try delta.withSection(at: manifest.indexSection, kind: .index) { (payload) throws in
            // The size is allocated only once the frame itself declares it too.
            guard ZstdDecompressor.declaredSize(of: payload) == UInt64(manifest.target.index.size) else {
                throw DeltaError(
                    .corrupt, "\(delta.path): the index section does not hold the \(manifest.target.index.size) bytes the manifest records")
            }
            output = [UInt8](repeating: 0, count: manifest.target.index.size)
            let result = prefix.withUnsafeBytes { prefixBytes in
                output.withUnsafeMutableBytes { destination in
                    Swift.Result { () throws(ZstdError) in try decompressor.decompress(payload, prefix: prefixBytes, into: destination) }
                }
            }
            if case .failure(let error) = result { throw DeltaError(.corrupt, "\(delta.path): the index does not decompress: \(error)") }
        }
        return output
    }

    private func open(_ path: String, replacing: Replacement) throws -> OutputFile {
        return try OutputFile(path: path, replacing: replacing)
    }

    private func write(_ bytes: [UInt8], to file: OutputFile) throws {
        try file.write(bytes)
    }
}
