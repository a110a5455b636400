import Checksums
import MappedIO
import Parallelism
import Zstandard

/// Rebuilds a target checkpoint from a delta (and its base), byte for byte.
///
/// Nothing becomes visible until every rebuilt file matches the XXH3-128 the delta recorded:
/// files are written under temporary names, checked, then renamed, data files first and the
/// index last, so an interrupted apply never leaves what looks like a complete checkpoint.
/// The base is checked to be the one the delta was made against before anything is written.
public struct DeltaApplier: Sendable {
    public var jobs = Parallelism.availableCores
    /// Chunks decoded per parallel batch, per job.
    public var batchPerJob = 4

    public init() {}

    /// Applies `delta` to the checkpoint at `basePrefix` (nil for a delta made without a base)
    /// and writes the target's files into `directory`; returns the manifest.
    @discardableResult
    public func apply(delta path: String, base basePrefix: String?, into directory: String, overwrite: Bool) throws(DeltaError) -> Manifest {
        let delta = try DeltaFile(path: path)
        let manifest = delta.manifest
        let baseFiles = try checkBase(manifest.base, prefix: basePrefix, delta: path)
        let targets = manifest.target.dataFiles.map { Path.join(directory, $0.name) } + [Path.join(directory, manifest.target.index.name)]
        if !overwrite, let existing = targets.first(where: FileSystem.exists) {
            throw DeltaError(.exists, "\(existing): already exists (use --force to overwrite)")
        }
        do {
            try FileSystem.createDirectory(directory)
        } catch {
            throw DeltaError(.io, error.description)
        }
        var outputs: [OutputFile] = []
        for (digest, plan) in zip(manifest.target.dataFiles, manifest.files) {
            try check(plan, size: digest.size, baseFiles: baseFiles, delta: delta)
            let file = try open(Path.join(directory, digest.name), overwrite: overwrite)
            var hasher = XXH3Hasher128()
            try rebuild(plan, delta: delta, baseFiles: baseFiles, into: file, hasher: &hasher)
            try verify(hasher.finalize(), size: file.count, against: digest)
            outputs.append(file)
        }
        let index = try open(Path.join(directory, manifest.target.index.name), overwrite: overwrite)
        let indexBytes = try rebuildIndex(manifest, delta: delta, basePrefix: basePrefix)
        try write(indexBytes, to: index)
        try verify(indexBytes.withUnsafeBytes { XXH3.hash128($0) }, size: indexBytes.count, against: manifest.target.index)
        do {
            for file in outputs { try file.commit(overwrite: overwrite) }
            try index.commit(overwrite: overwrite)
        } catch {
            throw DeltaError(.io, error.description)
        }
        return manifest
    }

    /// Maps the base's data files after checking that the base is the delta's.
    private func checkBase(_ expected: BundleIdentity?, prefix: String?, delta: String) throws(DeltaError) -> [MappedFile] {
        guard let expected else {
            if let prefix { throw DeltaError(.usage, "\(delta) was made without a base; do not give one (\(prefix))") }
            return []
        }
        guard let prefix else { throw DeltaError(.usage, "\(delta) needs its base checkpoint \(expected)") }
        // The base may have been renamed: its data files are found under its own prefix.
        let paths = expected.dataFiles.map { prefix + String($0.name.dropFirst(expected.name.count)) }
        let actual: BundleIdentity
        do throws(DeltaError) {
            let index = try FileDigest.of(path: prefix + ".index")
            let files = try paths.map { (path) throws(DeltaError) in try FileDigest.of(path: path) }
            actual = BundleIdentity(name: Path.fileName(of: prefix), index: index, dataFiles: files)
        } catch {
            throw DeltaError(.wrongBase, "\(prefix) is not the base of \(delta) (which needs \(expected)): \(error.cause)")
        }
        guard actual.index == expected.index.renamed(actual.index.name), actual.dataFiles.map(\.hash) == expected.dataFiles.map(\.hash) else {
            throw DeltaError(.wrongBase, "\(prefix) is not the base of \(delta): it is \(actual), the delta needs \(expected)")
        }
        return try paths.map { (path) throws(DeltaError) in try DeltaCreator.map(path) }
    }

    /// Checks a plan's runs against the file size and the base files before any output.
    private func check(_ plan: FilePlan, size: Int, baseFiles: [MappedFile], delta: DeltaFile) throws(DeltaError) {
        var total = 0
        for run in plan.runs {
            let reference: (file: Int, offset: Int)?
            switch run {
            case .copy(let file, let offset, _, _): reference = (file, offset)
            case .chunk(_, _, _, _, let base, _): reference = base.map { ($0.file, $0.offset) }
            }
            if let (file, offset) = reference {
                guard file < baseFiles.count, offset >= 0, offset <= baseFiles[file].count - run.length else {
                    throw DeltaError(.corrupt, "\(delta.path): a run refers to bytes outside the base files")
                }
            }
            total += run.length
        }
        guard total == size else {
            throw DeltaError(.corrupt, "\(delta.path): the runs of a file add up to \(total) bytes, not \(size)")
        }
    }

    /// Decodes a file's runs batch by batch in parallel, writing and hashing them in order.
    private func rebuild(
        _ plan: FilePlan, delta: DeltaFile, baseFiles: [MappedFile], into file: OutputFile, hasher: inout XXH3Hasher128
    ) throws(DeltaError) {
        let batch = max(1, jobs * batchPerJob)
        for start in stride(from: 0, to: plan.runs.count, by: batch) {
            let runs = Array(plan.runs[start..<min(plan.runs.count, start + batch)])
            let results = ResultSlots<Swift.Result<[UInt8], DeltaError>?>(count: runs.count, initial: nil)
            ParallelWork.run(count: runs.count, jobs: jobs, state: { ChunkCodec(level: 1) }) { codec, index in
                guard case .chunk(let length, let encoding, let elementSize, let section, let reference, _) = runs[index] else { return }
                results[index] = Swift.Result { () throws(DeltaError) in
                    var output = [UInt8](repeating: 0, count: length)
                    try delta.withSection(at: section, kind: .chunk) { (payload) throws(DeltaError) in
                        try output.withUnsafeMutableBytes { destination in
                            Swift.Result { () throws(DeltaError) in
                                guard let reference else {
                                    return try codec.decode(payload, encoding: encoding, elementSize: elementSize, base: nil, into: destination)
                                }
                                let baseRange = reference.offset..<(reference.offset + length)
                                defer { baseFiles[reference.file].evict(baseRange) }
                                try baseFiles[reference.file].withUnsafeBytes { (baseBytes) throws(DeltaError) in
                                    let base = UnsafeRawBufferPointer(rebasing: baseBytes[baseRange])
                                    try codec.decode(payload, encoding: encoding, elementSize: elementSize, base: base, into: destination)
                                }
                            }
                        }.get()
                    }
                    return output
                }
            }
            for (index, run) in runs.enumerated() {
                switch run {
                case .copy(let baseFile, let offset, let length, _):
                    let range = offset..<(offset + length)
                    try baseFiles[baseFile].withUnsafeBytes { (bytes) throws(DeltaError) in
                        let piece = UnsafeRawBufferPointer(rebasing: bytes[range])
                        hasher.update(piece)
                        do throws(FileError) {
                            try file.write(piece)
                        } catch {
                            throw DeltaError(.io, error.description)
                        }
                    }
                    baseFiles[baseFile].evict(range)
                case .chunk:
                    let bytes = try results[index]!.get()
                    bytes.withUnsafeBytes { hasher.update($0) }
                    try write(bytes, to: file)
                }
            }
        }
    }

    /// The target's index, decompressed against the base's index.
    private func rebuildIndex(_ manifest: Manifest, delta: DeltaFile, basePrefix: String?) throws(DeltaError) -> [UInt8] {
        let prefix = try basePrefix.map { (prefix) throws(DeltaError) in try DeltaCreator.map(prefix + ".index").withUnsafeBytes { Array($0) } } ?? []
        var decompressor = ZstdDecompressor()
        var output = [UInt8](repeating: 0, count: manifest.target.index.size)
        try delta.withSection(at: manifest.indexSection, kind: .index) { (payload) throws(DeltaError) in
            let result = prefix.withUnsafeBytes { prefixBytes in
                output.withUnsafeMutableBytes { destination in
                    Swift.Result { () throws(ZstdError) in try decompressor.decompress(payload, prefix: prefixBytes, into: destination) }
                }
            }
            if case .failure(let error) = result { throw DeltaError(.corrupt, "\(delta.path): the index does not decompress: \(error)") }
        }
        return output
    }

    private func verify(_ hash: XXH128Digest, size: Int, against digest: FileDigest) throws(DeltaError) {
        guard hash == digest.hash, size == digest.size else {
            throw DeltaError(.hashMismatch, "\(digest.name): rebuilt file does not match the delta's record (XXH3-128 \(hash), expected \(digest.hash)); nothing was written")
        }
    }

    private func open(_ path: String, overwrite: Bool) throws(DeltaError) -> OutputFile {
        do {
            return try OutputFile(path: path, overwrite: overwrite)
        } catch {
            throw DeltaError(error.code == .alreadyExists ? .exists : .io, error.description)
        }
    }

    private func write(_ bytes: [UInt8], to file: OutputFile) throws(DeltaError) {
        do {
            try file.write(bytes)
        } catch {
            throw DeltaError(.io, error.description)
        }
    }
}

extension FileDigest {
    /// The same digest under another name (a base may be renamed; its content is what counts).
    func renamed(_ name: String) -> FileDigest {
        FileDigest(name: name, size: size, hash: hash)
    }
}
