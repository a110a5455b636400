import TensorBundle

/// What verifying one checkpoint found.
public struct CheckpointReport: Sendable {
    /// The status of one listed variable.
    public struct TensorStatus: Sendable {
        public let summary: VariableSummary
        /// The first error found in the variable (any of its slices), nil when it is sound.
        public let error: Finding?
    }

    public let prefix: String
    public let tensors: [TensorStatus]
    public let findings: [Finding]
    /// Bytes of tensor data checksummed.
    public let bytesChecked: Int64
    /// Wall-clock seconds spent.
    public let seconds: Double
    /// The data pass's failures, by stored part (what a partial run hands to a merge).
    public var dataFailures: [DataFailure] = []

    /// True when no finding is an error.
    public var ok: Bool { !findings.contains { $0.severity == .error } }

    /// True when every error is about tensor bytes (checksums, string and variant encodings, a
    /// mixed save) and the index, entries and files are sound: the bytes can still be read
    /// and stored faithfully, damage included.
    public var onlyDataDamage: Bool {
        findings.allSatisfy { $0.severity != .error || Finding.dataCodes.contains($0.code) }
    }

    /// The first error as one line, naming the file and the tensor, with how many more there
    /// are; nil when ``ok``.
    public var damage: String? {
        let errors = findings.filter { $0.severity == .error }
        guard let first = errors.first else { return nil }
        var line = "\(first.file ?? BundleFiles.index(prefix: prefix)): "
        if let tensor = first.tensor { line += "tensor \(tensor): " }
        line += first.message
        if errors.count > 1 { line += " (and \(errors.count - 1) more error(s): ckptverify lists them)" }
        return line
    }
}

extension Finding {
    /// The codes of the data pass: damage to tensor bytes behind a sound index.
    static let dataCodes = Set(
        [TensorError.Code.checksumMismatch, .lengthChecksumMismatch, .malformedString, .malformedVariant].map {
            Finding.Code(rawValue: $0.rawValue)
        }
            + [.diagnosisMixedSaves])
}

/// A stored part whose bytes failed the data pass, by the part's position in the checkpoint's
/// layout (deterministic for a given index), with the finding's code and message.
public struct DataFailure: Sendable, Hashable {
    public let part: Int
    public let code: Finding.Code
    public let message: String

    public init(part: Int, code: Finding.Code, message: String) {
        self.part = part
        self.code = code
        self.message = message
    }
}

/// One of `count` shares of a checkpoint's data, cut by bytes, for verifying one checkpoint on
/// many machines at once (`--part INDEX/COUNT`, INDEX from 0).
public struct Share: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, count <= 1_000_000, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`.
    public init?(parsing text: String) {
        let fields = text.split(separator: "/", omittingEmptySubsequences: false)
        guard fields.count == 2, let index = Int(fields[0]), let count = Int(fields[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Which parts (by their sizes, in layout order) fall to this share: a part belongs to the
    /// share its first byte falls in when all parts' bytes are laid end to end and cut into
    /// `count` equal spans.
    func contains(partStartingAt start: Int64, total: Int64) -> Bool {
        guard total > 0 else { return index == 0 }
        let (product, overflow) = start.multipliedReportingOverflow(by: Int64(count))
        let position = overflow ? Int64((Double(start) * Double(count) / Double(total)).rounded(.down)) : product / total
        return Int(min(position, Int64(count - 1))) == index
    }
}

/// What checking a training directory itself found: its `checkpoint` state file and debris
/// from interrupted saves.
public struct DirectoryReport: Sendable {
    /// What kind of directory a report is about.
    public enum Kind: String, Sendable {
        /// A training directory: checkpoints and their `checkpoint` state file.
        case training
        /// A SavedModel: its graph, fingerprint and variables bundle.
        case savedModel = "saved_model"
    }

    public let path: String
    public let findings: [Finding]
    public let kind: Kind

    public init(path: String, findings: [Finding], kind: Kind = .training) {
        self.path = path
        self.findings = findings
        self.kind = kind
    }

    /// True when no finding is an error.
    public var ok: Bool { !findings.contains { $0.severity == .error } }
}
