import MappedIO
import SSTable
import TensorBundle

/// Everything that can be checked without reading tensor data: the table, the header, every
/// entry, partitioned variables, and where each entry's bytes lie.
struct StructureCheck {
    let bundle: CheckpointBundle
    let summaries: [VariableSummary]
    private(set) var findings: [Finding] = []
    /// The first error of each listed variable, by index.
    private(set) var variableErrors: [Int: Finding] = [:]
    /// The entries whose bytes exist and whose data can be checked.
    private(set) var parts: [StoredPart] = []

    private var indexPath: String { BundleFiles.index(prefix: bundle.prefix) }

    init(bundle: CheckpointBundle) {
        self.bundle = bundle
        self.summaries = bundle.summaries
        checkTable()
        checkRecords()
        checkVariables()
        checkOrphanSlices()
        checkOverlaps()
    }

    /// Records an error against a listed variable.
    mutating func fail(_ variable: Int, _ code: Finding.Code, _ message: String, label: String? = nil) {
        let finding = Finding(.error, code, message, tensor: label ?? summaries[variable].name)
        findings.append(finding)
        if variableErrors[variable] == nil { variableErrors[variable] = finding }
    }

    private mutating func checkTable() {
        for finding in bundle.tableFindings {
            findings.append(
                Finding(
                    finding.isWarning ? .warning : .error, Finding.Code(rawValue: finding.code.rawValue), finding.message, file: indexPath,
                    offset: finding.offset))
        }
        if let problem = bundle.headerProblem {
            findings.append(Finding(.error, Finding.Code(rawValue: problem.code.rawValue), problem.message, file: indexPath))
        }
        switch bundle.header?.endianness {
        case .unknown(let value)?:
            findings.append(Finding(.error, .headerBadEndianness, "endianness \(value) is neither little (0) nor big (1)", file: indexPath))
        case .big?:
            findings.append(
                Finding(
                    .warning, .headerBigEndian, "tensor data is big-endian: checksums hold, but values need byte swapping", file: indexPath)
            )
        default:
            break
        }
        for issue in bundle.header?.issues ?? [] {
            findings.append(Finding(.warning, Finding.Code(rawValue: issue.code.rawValue), issue.message, file: indexPath))
        }
    }

    private mutating func checkRecords() {
        for record in bundle.records {
            switch record.entry {
            case .failure(let error):
                findings.append(
                    Finding(
                        .error, .entryUnparseable, "entry does not parse: \(error)", tensor: record.name, file: indexPath,
                        offset: record.offset))
            case .success(let entry):
                for issue in entry.issues {
                    findings.append(
                        Finding(
                            .warning, Finding.Code(rawValue: issue.code.rawValue), issue.message, tensor: record.name, file: indexPath,
                            offset: record.offset))
                }
            }
        }
    }

    private mutating func checkVariables() {
        for (index, summary) in summaries.enumerated() {
            do {
                let entry = try bundle.entry(forKey: summary.key)
                try CheckpointBundle.validate(entry, key: summary.key)
                if entry.isPartitioned {
                    try checkSlices(of: entry, variable: index)
                } else {
                    try addPart(StoredPart(key: summary.key, entry: entry, variable: index, label: summary.name))
                }
            } catch {
                fail(index, Finding.Code(rawValue: error.code.rawValue), error.cause)
            }
        }
    }

    /// Checks a partitioned variable's slices and the records holding them.
    private mutating func checkSlices(of full: BundleEntry, variable: Int) throws(TensorError) {
        let name = summaries[variable].key
        let boxes = try CheckpointBundle.sliceBoxes(of: full, key: name)
        for (slice, box) in zip(full.slices, boxes) {
            let label = "\(summaries[variable].name) (slice \(slice))"
            if box.elementsEqual(full.shape.dimensions.map { 0..<$0 }) {
                findings.append(
                    Finding(
                        .warning, .slicesWhole, "slice \(slice) covers the whole tensor (TensorFlow stores that as a plain entry)",
                        tensor: label))
            }
            let key = SliceKey.encode(name: name, slice: slice)
            guard bundle.record(forKey: key) != nil else {
                fail(variable, .slicesMissingRecord, "the record of slice \(slice) is missing", label: label)
                continue
            }
            do {
                let entry = try bundle.entry(forKey: key)
                try CheckpointBundle.validate(entry, key: key)
                let lengths = box.map { Int64($0.count) }
                guard entry.dtype == full.dtype, entry.shape.dimensions == lengths else {
                    fail(
                        variable, .slicesMismatch,
                        "stored as \(entry.dtype) \(entry.shape), expected \(full.dtype) \(TensorShape(lengths))", label: label)
                    continue
                }
                try addPart(StoredPart(key: key, entry: entry, variable: variable, label: label))
            } catch {
                fail(variable, Finding.Code(rawValue: error.code.rawValue), error.cause, label: label)
            }
        }
    }

    /// Keeps a part whose bytes exist in its shard file, or records why they do not.
    private mutating func addPart(_ part: StoredPart) throws(TensorError) {
        _ = try bundle.storedRange(of: part.entry, key: part.key)
        parts.append(part)
    }

    /// Slice records that no partitioned variable lists.
    private mutating func checkOrphanSlices() {
        var claimed = Set<[UInt8]>()
        for record in bundle.records {
            guard case .success(let entry) = record.entry else { continue }
            for slice in entry.slices { claimed.insert(SliceKey.encode(name: record.key, slice: slice)) }
        }
        for record in bundle.records where record.key.first == 0 && !claimed.contains(record.key) {
            let what =
                SliceKey.decode(record.key).map { "slice \($0.slice) of \(CheckpointBundle.displayName($0.name))" }
                ?? "a key that starts with byte 0"
            findings.append(
                Finding(
                    .error, .slicesOrphan, "\(what) is stored but no variable lists it", tensor: record.name, file: indexPath,
                    offset: record.offset))
        }
    }

    /// Two non-empty byte ranges in the same shard that intersect.
    private mutating func checkOverlaps() {
        let byShard = Dictionary(grouping: parts.filter { $0.entry.size > 0 }, by: \.entry.shardID)
        for shard in byShard.keys.sorted() {
            let sorted = byShard[shard]!.sorted { ($0.entry.offset, $0.entry.size) < ($1.entry.offset, $1.entry.size) }
            var furthest: StoredPart? = nil
            for part in sorted {
                if let previous = furthest, part.entry.offset < previous.range.upperBound {
                    fail(
                        part.variable, .entryOverlap,
                        "bytes \(part.range.lowerBound)..<\(part.range.upperBound) of shard \(shard) overlap \(previous.label) (\(previous.range.lowerBound)..<\(previous.range.upperBound))",
                        label: part.label)
                }
                if furthest == nil || part.range.upperBound > furthest!.range.upperBound { furthest = part }
            }
        }
    }
}
