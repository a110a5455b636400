import BinaryCoding
import Glibc
import MappedIO
import Parallelism
import TensorBundle

/// Checks checkpoints the way a CI job needs: every structural rule of the format, every
/// tensor's bytes against their checksums (as TensorFlow would on a full restore), what
/// TensorFlow never checks, and a diagnosis when an index and its data do not belong together.
public struct Verifier: Sendable {
    /// Skip reading tensor data (structure only).
    public var structureOnly = false
    /// Worker threads for the data pass of a local checkpoint.
    public var jobs = Parallelism.availableCores
    /// Bytes checksummed per work item (fixed-size tensors are split into pieces this size);
    /// for a remote checkpoint, bytes per ranged read.
    public var chunkSize = 8 << 20
    /// Ranged reads in flight for a remote checkpoint.
    public var readsInFlight = 32
    /// Only the data of this share is read (the structure is always checked whole).
    public var share: Share? = nil
    /// Report `.tempstate` files next to each checkpoint (off when a directory check reports them).
    public var checkDebris = true
    /// Told the bytes the data pass will read when it starts, then the bytes each work item
    /// finished.
    public var progress: WorkProgress?

    public init() {}

    /// The verifier a tool runs on a checkpoint it is about to read: `jobs` workers, the data
    /// pass unless `structureOnly`, and no report of debris beside the checkpoint (the tool is
    /// not checking the directory).
    public static func forReading(jobs: Int, structureOnly: Bool = false) -> Verifier {
        var verifier = Verifier()
        verifier.jobs = jobs
        verifier.structureOnly = structureOnly
        verifier.checkDebris = false
        return verifier
    }

    /// Verifies the checkpoint at `prefix`. Never throws: an unreadable index is a finding.
    public func verify(prefix: String) -> CheckpointReport {
        let start = Stopwatch()
        let bundle: CheckpointBundle
        do {
            bundle = try CheckpointBundle(prefix: prefix)
        } catch {
            return Self.unreadable(prefix: prefix, cause: error.cause, since: start)
        }
        return verify(bundle, since: start)
    }

    /// The report on a checkpoint whose index cannot be read at all.
    public static func unreadable(prefix: String, cause: String, since start: Stopwatch? = nil) -> CheckpointReport {
        let finding = Finding(.error, .indexUnreadable, cause, file: BundleFiles.index(prefix: prefix))
        return CheckpointReport(prefix: prefix, tensors: [], findings: [finding], bytesChecked: 0, seconds: start?.seconds ?? 0)
    }

    /// Verifies an opened local checkpoint, as ``verify(prefix:)`` does. `siblings` are the
    /// names in its directory, when the caller has listed it already (else it is listed here).
    public func verify(_ bundle: CheckpointBundle, siblings: [String]? = nil) -> CheckpointReport {
        verify(bundle, since: Stopwatch(), siblings: siblings)
    }

    private func verify(_ bundle: CheckpointBundle, since start: Stopwatch, siblings: [String]? = nil) -> CheckpointReport {
        verify(bundle, since: start, siblings: siblings) { parts in
            DataCheck.run(parts, bundle: bundle, jobs: jobs, chunkSize: chunkSize, progress: progress?.advance)
        }
    }

    /// Verifies an opened local checkpoint as ``verify(_:)`` does, reading each data file the
    /// index references once, front to back, from `source` (one file per job at a time), so a
    /// caller hashing whole files gets its hashes from the same pass. Strings and variants are
    /// checked through the files' maps. Throws what the source throws.
    public func verify(_ bundle: CheckpointBundle, source: some DataFileSource) throws(FileError) -> CheckpointReport {
        try verify(bundle, since: Stopwatch(), siblings: nil) { (parts) throws(FileError) in
            try SequentialDataCheck.run(
                parts, bundle: bundle, source: source, jobs: jobs, chunkSize: chunkSize, progress: progress?.advance)
        }
    }

    /// Checks the structure of a local checkpoint and, unless ``structureOnly``, the parts
    /// of its share with `dataCheck`.
    private func verify<Failure: Error>(
        _ bundle: CheckpointBundle, since start: Stopwatch, siblings: [String]?,
        dataCheck: ([StoredPart]) throws(Failure) -> [TensorError?]
    ) throws(Failure) -> CheckpointReport {
        let structure = StructureCheck(bundle: bundle)
        let names = siblings ?? (try? FileSystem.contents(ofDirectory: Path.directory(of: bundle.prefix))) ?? []
        guard !structureOnly else { return report(bundle, structure, failures: [], bytesChecked: 0, siblings: names, since: start) }
        let parts = sharedParts(structure.parts)
        progress?.plan(Self.bytes(of: parts, in: structure))
        let failures = Self.failures(try dataCheck(parts.map { structure.parts[$0] }), parts: parts)
        return report(
            bundle, structure, failures: failures, bytesChecked: Self.bytes(of: parts, in: structure), siblings: names, since: start)
    }

    /// Verifies a checkpoint whose data files are read through `reader` (an object store):
    /// the same checks as for a local one, with the data streamed in ranged reads, many in
    /// flight, each byte checksummed as it arrives. `siblings` are the other names beside the
    /// checkpoint (for data files the index does not reference and debris). Throws what the
    /// reader throws: a store that cannot be read says nothing about the checkpoint.
    public func verify(_ bundle: CheckpointBundle, reader: some ShardReader, siblings: [String]) async throws -> CheckpointReport {
        let start = Stopwatch()
        let structure = StructureCheck(bundle: bundle)
        guard !structureOnly else { return report(bundle, structure, failures: [], bytesChecked: 0, siblings: siblings, since: start) }
        let parts = sharedParts(structure.parts)
        progress?.plan(Self.bytes(of: parts, in: structure))
        let errors = try await StreamedDataCheck.run(
            parts.map { structure.parts[$0] }, bundle: bundle, reader: reader, windowSize: chunkSize, inFlight: readsInFlight,
            progress: progress?.advance)
        return report(
            bundle, structure, failures: Self.failures(errors, parts: parts), bytesChecked: Self.bytes(of: parts, in: structure),
            siblings: siblings, since: start)
    }

    /// The report of a checkpoint whose data pass ran elsewhere, in shares: its structure
    /// checked here, the data failures those runs found. Given every share's failures and
    /// bytes, this is the report one run over the whole checkpoint gives.
    public func assemble(
        _ bundle: CheckpointBundle, failures: [DataFailure], bytesChecked: Int64, seconds: Double, siblings: [String]
    ) -> CheckpointReport {
        let structure = StructureCheck(bundle: bundle)
        let known = failures.filter { structure.parts.indices.contains($0.part) }.sorted { $0.part < $1.part }
        let result = report(bundle, structure, failures: known, bytesChecked: bytesChecked, siblings: siblings, since: Stopwatch())
        return CheckpointReport(
            prefix: result.prefix, tensors: result.tensors, findings: result.findings, bytesChecked: bytesChecked, seconds: seconds,
            dataFailures: known)
    }

    /// The positions of the parts this verifier reads: all, or those of its share.
    private func sharedParts(_ parts: [StoredPart]) -> [Int] {
        guard let share else { return Array(parts.indices) }
        // Sizes from the index: they may add up past Int64 (duplicated or overlapping entries).
        let total = parts.saturatingSum { $0.entry.size }
        var start: Int64 = 0
        return parts.indices.filter { index in
            defer { start = start.saturatingAdding(parts[index].entry.size) }
            return share.contains(partStartingAt: start, total: total)
        }
    }

    private static func bytes(of parts: [Int], in structure: StructureCheck) -> Int64 {
        parts.saturatingSum { structure.parts[$0].entry.size }
    }

    private static func failures(_ errors: [TensorError?], parts: [Int]) -> [DataFailure] {
        zip(parts, errors).compactMap { part, error in
            error.map { DataFailure(part: part, code: Finding.Code(rawValue: $0.code.rawValue), message: $0.cause) }
        }
    }

    private func report(
        _ bundle: CheckpointBundle, _ checked: StructureCheck, failures: [DataFailure], bytesChecked: Int64, siblings: [String],
        since start: Stopwatch
    ) -> CheckpointReport {
        var structure = checked
        for failure in failures {
            let part = structure.parts[failure.part]
            structure.fail(part.variable, failure.code, failure.message, label: part.label)
        }
        var findings =
            structure.findings + ShardFileCheck.run(bundle: bundle, parts: structure.parts, siblings: siblings, checkDebris: checkDebris)
        if !structureOnly, let diagnosis = MixedSaveDiagnosis.run(bundle: bundle, parts: checked.parts, failures: failures) {
            findings.append(diagnosis)
        }
        let tensors = structure.summaries.enumerated().map { index, summary in
            CheckpointReport.TensorStatus(summary: summary, error: structure.variableErrors[index])
        }
        return CheckpointReport(
            prefix: bundle.prefix, tensors: tensors, findings: findings, bytesChecked: bytesChecked, seconds: start.seconds,
            dataFailures: failures)
    }

    /// Checks the training directory at `path`: its state file and leftover debris.
    public func verify(directory path: String) -> DirectoryReport {
        DirectoryCheck.run(path: path)
    }

    /// Checks a local training directory already read (listed, its state file parsed), as
    /// ``verify(directory:)-(String)`` does, without reading it again.
    public func verify(directory: CheckpointDirectory) -> DirectoryReport {
        DirectoryCheck.run(directory)
    }

    /// Checks a SavedModel's own files: its graph is there and well framed, its fingerprint
    /// matches its variables index (the variables bundle is verified as a checkpoint).
    public func verify(savedModel: SavedModel) -> DirectoryReport {
        SavedModelCheck.run(savedModel)
    }

    /// Checks a listed training folder (an object-store prefix): its state file and debris;
    /// `folders` are the names below it that are folders.
    public func verify(directory: CheckpointDirectory, folders: Set<String>) -> DirectoryReport {
        DirectoryCheck.run(directory) { folders.contains($0) }
    }
}
