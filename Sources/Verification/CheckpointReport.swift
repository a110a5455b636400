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
        [TensorError.Code.checksumMismatch, .lengthChecksumMismatch, .malformedString, .malformedVariant].map(\.rawValue)
            + ["diagnosis.mixed_saves"])
}

/// What checking a training directory itself found: its `checkpoint` state file and debris
/// from interrupted saves.
public struct DirectoryReport: Sendable {
    public let path: String
    public let findings: [Finding]

    /// True when no finding is an error.
    public var ok: Bool { !findings.contains { $0.severity == .error } }
}
