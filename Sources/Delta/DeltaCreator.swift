import Checksums
import MappedIO
import Parallelism
import TensorBundle
import TrainingState
import Verification
import Zstandard

/// Writes a delta of a target checkpoint against a base (or alone), one self-contained file.
///
/// The base is first read once, front to back, to verify and hash it (the two at the same
/// time). The target is verified and hashed the same way while it is encoded, that pass kept a
/// little ahead of the encoding so that the two read each page from the disk once. Every
/// stored tensor of the target is encoded in element-aligned chunks on every core: bytes found
/// unchanged anywhere in the base (same size and CRC, then compared) become references; tensors whose name, dtype and size match in the base are compared with it block
/// by block, and the blocks that changed are encoded against it (XOR or subtraction, byte
/// planes, zstd), or against the optimizer's prediction; the rest are encoded alone; bytes no
/// tensor claims are kept raw. The index is compressed against the base's index. Memory stays
/// near `jobs × batch × chunkBytes` whatever the checkpoint's size. The inputs are only read.
public struct DeltaCreator: Sendable {
    /// zstd level for chunks and the index.
    public var level: Int32 = 1
    public var jobs = Parallelism.availableCores
    package var chunkBytes = 4 << 20
    /// Chunks encoded per parallel batch, per job.
    package var batchPerJob = 4
    /// How far the target's check may read ahead of its encoding: what it read is still in the
    /// page cache when the encoding reads it.
    package var checkLead = 64 << 20
    /// How far the inputs are checked before anything is written.
    public var inputCheck = InputCheck.verify
    /// Encode weights and optimizer slots against what the optimizer's update rule predicts
    /// from the tensors stored before them (off: every tensor against its own base bytes).
    public var predictions = true
    /// Told the bytes the run will read (its inputs, checked unless trusted, then the target
    /// encoded), then the bytes done.
    public var progress: WorkProgress?
    /// The target's identity, when the caller hashed the target already (a delta of it made
    /// before): the target is then read only to be encoded, and neither verified nor hashed
    /// again.
    public var targetIdentity: BundleIdentity?
    /// The base's identity, when the caller hashed the base already: it is then read only where
    /// the encoding compares with it.
    public var baseIdentity: BundleIdentity?

    /// How far ``create(base:target:output:replacing:)`` checks its inputs.
    public enum InputCheck: Sendable, Hashable {
        /// Verify both checkpoints as `ckptverify` does and refuse any error: a delta of a
        /// damaged checkpoint would rebuild the damage as if it were data.
        case verify
        /// Verify both, refuse structural errors, but store damaged tensor bytes faithfully
        /// (checksum mismatches, malformed strings, a mixed save).
        case allowDamagedData
        /// Trust the inputs: the caller verified them already (an archive run does).
        case trusted
    }

    public init() {}

    /// Creates the delta at `output` and returns its manifest. What is at `output` already is
    /// replaced only as `replacing` allows, and never a file of either input.
    @discardableResult
    public func create(
        base basePrefix: String?, target targetPrefix: String, output: String, replacing: Replacement = .never
    ) throws -> Manifest {
        let replacing = replacing.protecting([targetPrefix, basePrefix].compactMap { $0 }.flatMap(BundleFiles.existing))
        try replacing.check(output)
        let target = try CheckpointBundle(prefix: targetPrefix)
        let base = try basePrefix.map { (prefix) throws in try CheckpointBundle(prefix: prefix) }
        // The encoding pass is planned now; the checks plan theirs as they start, at once.
        progress?.plan(BundleFiles.dataBytes(prefix: targetPrefix))
        let inputs = [target] + (base.map { [$0] } ?? [])
        // Every byte of the inputs is read below: bytes nothing records must not set the time.
        for input in inputs {
            if let excess = Verifier.excessUnclaimedBytes(in: input) { throw DeltaError(.damagedInput, excess) }
        }
        guard target.header != nil, target.headerProblem == nil else {
            throw DeltaError(.damagedInput, "\(BundleFiles.index(prefix: targetPrefix)): \(target.headerProblem?.message ?? "no header")")
        }
        // The base is checked and hashed in one pass first, unless its identity is known.
        let baseIdentity = try base.map { (bundle) throws in try self.baseIdentity ?? identity(of: bundle, check: inputCheck, jobs: jobs) }
        let baseFiles = try (baseIdentity?.dataFiles ?? []).map { (digest) throws in
            try MappedFile(path: Path.join(Path.directory(of: basePrefix!), digest.name))
        }
        // The target is checked and hashed while it is encoded, the check's pass a little ahead
        // of the encoding through the same pages: its files are read from the disk once.
        let names =
            try self.targetIdentity?.dataFiles.map(\.name)
            ?? BundleIdentity.dataFileNames(prefix: targetPrefix, shardCount: target.header!.numShards)
        let gate = self.targetIdentity == nil ? FollowGate(lead: checkLead) : nil
        let checked = ResultSlots<BundleIdentity?>(count: 1, initial: self.targetIdentity)
        let checking = BackgroundWork<any Error>()
        if let gate {
            checking.start { [self] in
                defer { gate.release() }
                return Swift.Result {
                    checked[0] = try identity(of: target, dataFiles: names, check: inputCheck, jobs: jobs, gate: gate)
                }
            }
        }
        // Neither side waits for the other once this returns, and the check ends first.
        defer {
            gate?.release()
            try? checking.wait()
        }
        let matcher = BaseMatcher(base: base, baseIdentity: baseIdentity, baseFiles: baseFiles)
        let file = try OutputFile(path: output, replacing: replacing)
        // Straight to the disk: filling page-cache pages is most of a write's cost on many machines.
        try file.appendDirectly()
        try file.write(DeltaFormat.header)
        let targetFiles = try names.map { (name) throws in try MappedFile(path: Path.join(Path.directory(of: targetPrefix), name)) }
        let shardFiles = Dictionary(
            names.enumerated().compactMap { index, name in BundleFiles.parseData(fileName: name).map { ($0.shard, index) } },
            uniquingKeysWith: { first, _ in first })
        let predictions = predictionPlans(
            target: target, shardFiles: shardFiles, targetFiles: targetFiles, baseFiles: baseFiles, matcher: matcher)
        var plans: [FilePlan] = []
        for (index, name) in names.enumerated() {
            let shard = BundleFiles.parseData(fileName: name)?.shard ?? -1
            let units = plan(
                target: target, shard: shard, fileIndex: index, data: targetFiles[index], matcher: matcher, predictions: predictions)
            let runs = try encode(
                units, data: targetFiles[index], named: name, gate: gate, targetFiles: targetFiles, baseFiles: baseFiles, into: file)
            plans.append(FilePlan(runs: runs))
        }
        try checking.wait()
        let targetIdentity = checked[0]!
        let indexOffset = file.count
        try file.write(DeltaFormat.section(.index, try compressIndex(target: target, base: base)))
        let manifest = Manifest(base: baseIdentity, target: targetIdentity, indexSection: indexOffset, files: plans)
        let manifestOffset = file.count
        let manifestSection = DeltaFormat.section(.manifest, manifest.encoded())
        try file.write(manifestSection)
        try file.write(DeltaFormat.trailer(manifestOffset: manifestOffset, manifestLength: manifestSection.count))
        try file.commit()
        return manifest
    }

    /// Splits a target data file into units: tensors (copied, delta-encoded or encoded alone)
    /// and the bytes between them.
    private func plan(
        target: CheckpointBundle, shard: Int64, fileIndex: Int, data: MappedFile, matcher: BaseMatcher,
        predictions: [[UInt8]: PlannedPrediction]
    ) -> [Unit] {
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
            let name = CheckpointBundle.displayName(key)
            if let copy = matcher.identical(data, range, entry: entry) {
                units.append(.copy(copy, length: range.count, name: name))
            } else if let planned = predictions[key] {
                let base = matcher.counterpart(key: key, entry: entry)
                units += chunks(range, elementSize: 4, base: base, name: name).map { unit in
                    guard case .encode(let chunk, _, let reference, _) = unit else { return unit }
                    let shift = chunk.lowerBound - range.lowerBound
                    let prediction = Run.Prediction(
                        level: planned.level, program: planned.program, inputs: planned.inputs.map { $0.advanced(by: shift) })
                    return .predict(range: chunk, prediction: prediction, base: reference, name: name)
                }
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
            let reference = base?.advanced(by: start - range.lowerBound)
            return .encode(range: start..<end, elementSize: elementSize, base: reference, name: name)
        }
    }

    /// Encodes units batch by batch in parallel and appends their sections in order.
    private func encode(
        _ units: [Unit], data: MappedFile, named name: String, gate: FollowGate?, targetFiles: [MappedFile], baseFiles: [MappedFile],
        into file: OutputFile
    ) throws -> [Run] {
        var runs: [Run] = []
        let batch = max(1, jobs * batchPerJob)
        let level = self.level
        // One payload buffer per slot of a batch, reused batch after batch.
        let payloads = ResultSlots<[UInt8]>(count: batch, initial: [])
        var end = 0
        for start in stride(from: 0, to: units.count, by: batch) {
            let slice = Array(units[start..<min(units.count, start + batch)])
            end += slice.reduce(0) { $0 + $1.length }
            gate?.follow(name, upTo: end)
            let results = ResultSlots<Swift.Result<[Piece], any Error>?>(count: slice.count, initial: nil)
            ParallelWork.run(count: slice.count, jobs: jobs, state: { Worker(level: level) }) { worker, index in
                var payload = payloads.exchange(index, with: [])
                results[index] = Swift.Result { () throws in
                    try Self.encode(
                        slice[index], data: data, targetFiles: targetFiles, baseFiles: baseFiles, worker: worker, into: &payload)
                }
                _ = payloads.exchange(index, with: payload)
            }
            for (index, unit) in slice.enumerated() {
                defer { progress?.advance(Int64(unit.length)) }
                for piece in try results[index]!.get() {
                    let section = file.count
                    switch piece.storage {
                    case .copy(let reference):
                        Self.appendCopy(reference, length: piece.length, name: unit.name, to: &runs)
                    case .chunk(let encoding, let elementSize, let base, let bytes):
                        try writeSection(payloads[index][bytes], to: file)
                        runs.append(
                            .chunk(
                                length: piece.length, encoding: encoding, elementSize: elementSize, section: section, base: base,
                                name: unit.name))
                    case .predicted(let encoding, let prediction, let bytes):
                        try writeSection(payloads[index][bytes], to: file)
                        runs.append(
                            .predicted(
                                length: piece.length, encoding: encoding, section: section, prediction: prediction, name: unit.name))
                    }
                }
            }
        }
        return runs
    }

    /// Which target tensors to encode against predictions: the groups of weights and slots the
    /// target's training state pairs, and the optimizer's scalars on both sides.
    private func predictionPlans(
        target: CheckpointBundle, shardFiles: [Int64: Int], targetFiles: [MappedFile], baseFiles: [MappedFile], matcher: BaseMatcher
    ) -> [[UInt8]: PlannedPrediction] {
        guard predictions, !baseFiles.isEmpty else { return [:] }
        func read(_ location: TensorLocation, _ count: Int) -> [UInt8] {
            let file = location.source == .base ? baseFiles[location.file] : targetFiles[location.file]
            let range = location.offset..<(location.offset + count)
            // Planning reads a little of every group, alone: what it read leaves the resident set
            // at once, however many groups there are.
            defer { file.evict(range) }
            return file.withUnsafeBytes { Array($0[range]) }
        }
        // Every tensor stored whole on both sides, by key.
        var stored: [String: (entry: BundleEntry, member: PredictionPlanner.Group.Member)] = [:]
        for record in target.records {
            guard case .success(let entry) = record.entry, !entry.isPartitioned, let file = shardFiles[entry.shardID], entry.offset >= 0,
                entry.size > 0, entry.offset <= Int64(targetFiles[file].count) - entry.size,
                let base = matcher.counterpart(key: record.key, entry: entry), let key = String(validating: record.key, as: UTF8.self)
            else { continue }
            stored[key] = (
                entry,
                .init(
                    key: record.key, base: TensorLocation(source: .base, file: base.file, offset: base.offset),
                    target: TensorLocation(source: .target, file: file, offset: Int(entry.offset)))
            )
        }
        var floats: [String: (base: Float?, target: Float?)] = [:]
        var counters: [String: (base: Int64?, target: Int64?)] = [:]
        // The optimizer's scalars: float32 state (learning rates, beta powers) and step counters.
        func scalar<T: FixedWidthInteger>(_ member: PredictionPlanner.Group.Member, as _: T.Type) -> (base: T, target: T) {
            let values = [member.base, member.target].map {
                read($0, MemoryLayout<T>.size).withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
            }
            return (values[0], values[1])
        }
        for (key, tensor) in stored where tensor.entry.shape.rank == 0 {
            if tensor.entry.dtype == .float32, tensor.entry.size == 4 {
                let bits = scalar(tensor.member, as: UInt32.self)
                floats[key] = (Float(bitPattern: bits.base), Float(bitPattern: bits.target))
            } else if tensor.entry.dtype == .int64, tensor.entry.size == 8, key.contains("iteration") || key.contains("step") {
                let values = scalar(tensor.member, as: Int64.self)
                counters[key] = (values.base, values.target)
            }
        }
        let state = TrainingState(bundle: target)
        var groups: [PredictionPlanner.Group] = []
        for variable in state.variables.values where variable.role == .weight {
            guard let weight = stored[variable.key], weight.entry.dtype == .float32 else { continue }
            var members: [String?: PredictionPlanner.Group.Member] = [nil: weight.member]
            for (name, key) in state.slots(of: variable.key) {
                guard let slot = stored[key], slot.entry.dtype == .float32, slot.entry.size == weight.entry.size else { continue }
                members[name] = slot.member
            }
            if members.count > 1 { groups.append(.init(members: members, size: Int(weight.entry.size))) }
        }
        let planner = PredictionPlanner(context: RuleContext(floats: floats, counters: counters), read: read)
        return planner.plan(groups)
    }

    /// The target's index, zstd-compressed with the base's index as a prefix.
    private func compressIndex(target: CheckpointBundle, base: CheckpointBundle?) throws -> [UInt8] {
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
        return try result.get()
    }

    /// Appends a chunk section around `payload` without copying it.
    private func writeSection(_ payload: ArraySlice<UInt8>, to file: OutputFile) throws {
        try file.write(DeltaFormat.sectionHead(.chunk, length: payload.count))
        try payload.withUnsafeBytes { bytes in
            try file.write(bytes)
            try file.write(DeltaFormat.sectionTail(bytes))
        }
    }

    /// The identity of the checkpoint at `prefix`: its files hashed, not verified.
    public func identity(hashing prefix: String) throws -> BundleIdentity {
        try identity(of: try CheckpointBundle(prefix: prefix), check: .trusted, jobs: jobs)
    }

    /// Reads one input once: hashes its files (`dataFiles`, by default those its directory holds
    /// of its shards) and, unless `check` trusts it, verifies it in the same pass; damage it
    /// refuses is named.
    private func identity(
        of bundle: CheckpointBundle, dataFiles names: [String]? = nil, check: InputCheck, jobs: Int, gate: FollowGate? = nil
    ) throws
        -> BundleIdentity
    {
        let names = try names ?? BundleIdentity.dataFileNames(prefix: bundle.prefix, shardCount: bundle.header?.numShards ?? 0)
        let source = HashingSource(gate: gate)
        if check == .trusted {
            for name in names { try source.read(Path.join(Path.directory(of: bundle.prefix), name)) { _ in } }
        } else {
            var verifier = Verifier.forReading(jobs: jobs)
            verifier.progress = progress
            let report = try verifier.verify(bundle, source: source)
            if let damage = report.damage, !(check == .allowDamagedData && report.onlyDataDamage) {
                throw DeltaError(.damagedInput, damage + "; not stored (damaged input)")
            }
        }
        return try BundleIdentity.of(prefix: bundle.prefix, dataFiles: names, hashed: source)
    }
}
