import Checksums
import MappedIO
import Parallelism
import TensorBundle
import Zstandard

/// Writes a delta of a target checkpoint against a base (or alone), one self-contained file.
///
/// Every stored tensor of the target is encoded in element-aligned chunks on every core: bytes
/// found unchanged anywhere in the base (same size and CRC, then compared) become references;
/// tensors whose name, dtype and size match in the base are encoded against it (XOR or
/// subtraction, byte planes, zstd); the rest are encoded alone; bytes no tensor claims are
/// kept raw. The index is compressed against the base's index. Memory stays near
/// `jobs × batch × chunkBytes` whatever the checkpoint's size. The inputs are only read.
public struct DeltaCreator: Sendable {
    /// zstd level for chunks and the index.
    public var level: Int32 = 3
    public var jobs = Parallelism.availableCores
    public var chunkBytes = 4 << 20
    /// Chunks encoded per parallel batch, per job.
    public var batchPerJob = 4

    public init() {}

    /// One unit of work: a copy from the base, or a chunk to encode.
    private enum Unit: Sendable {
        case copy(baseFile: Int, offset: Int, length: Int, name: String)
        case encode(range: Range<Int>, elementSize: Int, base: Run.BaseReference?, name: String)
    }

    /// Creates the delta at `output` and returns its manifest.
    @discardableResult
    public func create(base basePrefix: String?, target targetPrefix: String, output: String, overwrite: Bool) throws(DeltaError) -> Manifest {
        let target = try Self.open(targetPrefix)
        guard let shardCount = target.header?.numShards, target.headerProblem == nil else {
            throw DeltaError(.io, "\(BundleFiles.index(prefix: targetPrefix)): \(target.headerProblem?.message ?? "no header")")
        }
        let base = try basePrefix.map { (prefix) throws(DeltaError) in try Self.open(prefix) }
        let targetIdentity = try BundleIdentity.of(prefix: targetPrefix, shardCount: shardCount)
        let baseIdentity = try base.map { (bundle) throws(DeltaError) in
            try BundleIdentity.of(prefix: bundle.prefix, shardCount: bundle.header?.numShards ?? 0)
        }
        let baseFiles = try (baseIdentity?.dataFiles ?? []).map { (digest) throws(DeltaError) in
            try Self.map(Path.join(Path.directory(of: basePrefix!), digest.name))
        }
        let matcher = BaseMatcher(base: base, baseIdentity: baseIdentity, baseFiles: baseFiles)
        let file: OutputFile
        do {
            file = try OutputFile(path: output, overwrite: overwrite)
            try file.write(DeltaFormat.header)
        } catch {
            throw DeltaError(error.code == .alreadyExists ? .exists : .io, error.description)
        }
        var plans: [FilePlan] = []
        for digest in targetIdentity.dataFiles {
            let path = Path.join(Path.directory(of: targetPrefix), digest.name)
            let data = try Self.map(path)
            let shard = BundleFiles.parseData(fileName: digest.name)?.shard ?? -1
            let units = plan(target: target, shard: shard, data: data, matcher: matcher)
            plans.append(FilePlan(runs: try encode(units, data: data, baseFiles: baseFiles, into: file)))
        }
        let indexOffset = file.count
        try write(DeltaFormat.section(.index, try compressIndex(target: target, base: base)), to: file)
        let manifest = Manifest(base: baseIdentity, target: targetIdentity, indexSection: indexOffset, files: plans)
        let manifestOffset = file.count
        let manifestSection = DeltaFormat.section(.manifest, manifest.encoded())
        try write(manifestSection, to: file)
        try write(DeltaFormat.trailer(manifestOffset: manifestOffset, manifestLength: manifestSection.count), to: file)
        do {
            try file.commit(overwrite: overwrite)
        } catch {
            throw DeltaError(error.code == .alreadyExists ? .exists : .io, error.description)
        }
        return manifest
    }

    /// Splits a target data file into units: tensors (copied, delta-encoded or encoded alone)
    /// and the bytes between them.
    private func plan(target: Bundle, shard: Int64, data: MappedFile, matcher: BaseMatcher) -> [Unit] {
        var tensors: [(key: [UInt8], entry: BundleEntry)] = []
        for record in target.records {
            guard case .success(let entry) = record.entry, !entry.isPartitioned, entry.shardID == shard,
                  entry.offset >= 0, entry.size > 0, entry.offset <= Int64(data.count) - entry.size
            else { continue }
            tensors.append((record.key, entry))
        }
        tensors.sort { $0.entry.offset < $1.entry.offset }
        var units: [Unit] = []
        var position = 0
        for (key, entry) in tensors where Int(entry.offset) >= position {
            let start = Int(entry.offset)
            if start > position { units += chunks(position..<start, elementSize: 1, base: nil, name: "") }
            let range = start..<(start + Int(entry.size))
            let name = Bundle.displayName(key)
            let copy = data.withUnsafeBytes { matcher.identical(UnsafeRawBufferPointer(rebasing: $0[range]), entry: entry) }
            data.evict(range)
            if let copy {
                units.append(.copy(baseFile: copy.file, offset: copy.offset, length: range.count, name: name))
            } else {
                let elementSize = Self.elementSize(entry.dtype)
                units += chunks(range, elementSize: elementSize, base: matcher.counterpart(key: key, entry: entry), name: name)
            }
            position = range.upperBound
        }
        if position < data.count { units += chunks(position..<data.count, elementSize: 1, base: nil, name: "") }
        return units
    }

    /// The width planes are split by: the element size of fixed-size dtypes (each half of a
    /// complex), 1 for everything else.
    static func elementSize(_ dtype: DataType) -> Int {
        guard let size = dtype.elementSize else { return 1 }
        return dtype.kind == .complex ? size / 2 : min(size, 8)
    }

    private func chunks(_ range: Range<Int>, elementSize: Int, base: Run.BaseReference?, name: String) -> [Unit] {
        let step = max(chunkBytes / elementSize, 1) * elementSize
        return stride(from: range.lowerBound, to: range.upperBound, by: step).map { start in
            let end = min(range.upperBound, start + step)
            let reference = base.map { Run.BaseReference(file: $0.file, offset: $0.offset + (start - range.lowerBound)) }
            return .encode(range: start..<end, elementSize: elementSize, base: reference, name: name)
        }
    }

    /// Encodes units batch by batch in parallel and appends their sections in order.
    private func encode(_ units: [Unit], data: MappedFile, baseFiles: [MappedFile], into file: OutputFile) throws(DeltaError) -> [Run] {
        var runs: [Run] = []
        let batch = max(1, jobs * batchPerJob)
        let level = self.level
        for start in stride(from: 0, to: units.count, by: batch) {
            let slice = Array(units[start..<min(units.count, start + batch)])
            let results = ResultSlots<Swift.Result<(ChunkEncoding, [UInt8]), DeltaError>?>(count: slice.count, initial: nil)
            ParallelWork.run(count: slice.count, jobs: jobs, state: { ChunkCodec(level: level) }) { codec, index in
                guard case .encode(let range, let elementSize, let reference, _) = slice[index] else { return }
                results[index] = Swift.Result { () throws(DeltaError) in
                    try data.withUnsafeBytes { (bytes) throws(DeltaError) in
                        let target = UnsafeRawBufferPointer(rebasing: bytes[range])
                        guard let reference else { return try codec.encode(target, base: nil, elementSize: elementSize) }
                        let baseRange = reference.offset..<(reference.offset + range.count)
                        defer { baseFiles[reference.file].evict(baseRange) }
                        return try baseFiles[reference.file].withUnsafeBytes { (baseBytes) throws(DeltaError) in
                            try codec.encode(target, base: UnsafeRawBufferPointer(rebasing: baseBytes[baseRange]), elementSize: elementSize)
                        }
                    }
                }
                data.evict(range)
            }
            for (index, unit) in slice.enumerated() {
                switch unit {
                case .copy(let baseFile, let offset, let length, let name):
                    runs.append(.copy(baseFile: baseFile, offset: offset, length: length, name: name))
                case .encode(let range, let elementSize, let reference, let name):
                    let (encoding, payload) = try results[index]!.get()
                    let section = file.count
                    try write(DeltaFormat.section(.chunk, payload), to: file)
                    runs.append(.chunk(length: range.count, encoding: encoding, elementSize: elementSize, section: section,
                                       base: encoding.usesBase ? reference : nil, name: name))
                }
            }
        }
        return runs
    }

    /// The target's index, zstd-compressed with the base's index as a prefix.
    private func compressIndex(target: Bundle, base: Bundle?) throws(DeltaError) -> [UInt8] {
        var compressor = ZstdCompressor(level: max(level, 19))
        // Indexes are small; the base's is copied so both can be lent at once.
        let basePrefix = base?.indexFile.withUnsafeBytes { Array($0) } ?? []
        let result = basePrefix.withUnsafeBytes { prefix in
            target.indexFile.withUnsafeBytes { source in
                var frame = [UInt8](repeating: 0, count: ZstdCompressor.bound(source.count))
                let count = frame.withUnsafeMutableBytes { destination in
                    Swift.Result { () throws(ZstdError) in try compressor.compress(source, prefix: prefix, into: destination) }
                }
                return count.map { Array(frame[..<$0]) }
            }
        }
        do {
            return try result.get()
        } catch {
            throw DeltaError(.io, "zstd: \(error)")
        }
    }

    private func write(_ bytes: [UInt8], to file: OutputFile) throws(DeltaError) {
        do {
            try file.write(bytes)
        } catch {
            throw DeltaError(.io, error.description)
        }
    }

    static func open(_ prefix: String) throws(DeltaError) -> Bundle {
        do {
            return try Bundle(prefix: prefix)
        } catch {
            throw DeltaError(.io, error.description)
        }
    }

    static func map(_ path: String) throws(DeltaError) -> MappedFile {
        do {
            return try MappedFile(path: path)
        } catch {
            throw DeltaError(.io, error.description)
        }
    }
}
