import MappedIO
import TensorBundle

/// Explains a checkpoint whose checksums mostly fail while every size matches: its `.index`
/// and its data files most likely come from different saves. When a sibling checkpoint in the
/// same directory matches either half, it names that sibling.
enum MixedSaveDiagnosis {
    /// The share of failing checksums from which the diagnosis is made.
    static let threshold = 0.5
    /// How many tensors are sampled when a sibling is tried.
    static let sampleSize = 32

    /// The diagnosis of `parts` (every stored part, in layout order) given the data pass's
    /// `failures`; siblings are tried only for a local checkpoint (their data is mapped).
    static func run(bundle: CheckpointBundle, parts: [StoredPart], failures: [DataFailure]) -> Finding? {
        let code = Finding.Code(rawValue: TensorError.Code.checksumMismatch.rawValue)
        let failed = Dictionary(failures.map { ($0.part, $0.code) }, uniquingKeysWith: { first, _ in first })
        let checked = parts.indices.filter { parts[$0].entry.size > 0 }
        let failing = checked.filter { failed[$0] == code }.count
        guard checked.count >= 2, Double(failing) >= threshold * Double(checked.count),
            checked.allSatisfy({ failed[$0] == nil || failed[$0] == code })
        else { return nil }
        var message =
            "\(failing) of \(checked.count) tensors fail their checksums while every size matches: "
            + "this .index and its data files most likely come from different saves"
        let isLocal = bundle.shards.values.contains { (try? $0.get())?.mapped != nil }
        let siblings = isLocal ? siblingPrefixes(of: bundle.prefix) : []
        if let owner = siblings.first(where: { matches(indexOf: $0, dataOf: bundle.prefix) }) {
            message += "; the data files match the index of \(describe(owner))"
        }
        if let owner = siblings.first(where: { matches(indexOf: bundle.prefix, dataOf: $0) }) {
            message += "; the .index matches the data files of \(describe(owner))"
        }
        return Finding(.error, .diagnosisMixedSaves, message, file: BundleFiles.index(prefix: bundle.prefix))
    }

    /// Whether the index of `indexPrefix` checksums correctly against the data of `dataPrefix`,
    /// on a sample of its smallest non-empty tensors.
    static func matches(indexOf indexPrefix: String, dataOf dataPrefix: String) -> Bool {
        guard let bundle = try? CheckpointBundle(prefix: indexPrefix, dataPrefix: dataPrefix) else { return false }
        let sample = bundle.records.compactMap { record -> (key: [UInt8], entry: BundleEntry)? in
            guard case .success(let entry) = record.entry, !entry.isPartitioned, entry.size > 0 else { return nil }
            return (record.key, entry)
        }.sorted { $0.entry.size < $1.entry.size }.prefix(sampleSize)
        guard !sample.isEmpty else { return false }
        let matching = sample.filter { item in
            (try? bundle.withStoredBytes(of: item.entry, key: item.key) { (bytes) throws(TensorError) in
                try CheckpointBundle.check(item.entry, key: item.key, bytes)
            }) != nil
        }.count
        return Double(matching) >= 0.9 * Double(sample.count)
    }

    /// The other checkpoints in the same directory.
    static func siblingPrefixes(of prefix: String) -> [String] {
        let directory = Path.directory(of: prefix)
        let names = (try? FileSystem.contents(ofDirectory: directory)) ?? []
        return names.filter { $0.hasSuffix(".index") }
            .map { Path.join(directory, String($0.dropLast(".index".count))) }
            .filter { $0 != prefix && Path.fileName(of: $0) != Path.fileName(of: prefix) }
    }

    /// `ckpt-100 (step 100)`, or just the name when it carries no step number.
    static func describe(_ prefix: String) -> String {
        let name = Path.fileName(of: prefix)
        return BundleFiles.step(of: name).map { "\(name) (step \($0))" } ?? name
    }
}
