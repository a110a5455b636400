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
}

/// What checking a training directory itself found: its `checkpoint` state file and debris
/// from interrupted saves.
public struct DirectoryReport: Sendable {
    public let path: String
    public let findings: [Finding]

    /// True when no finding is an error.
    public var ok: Bool { !findings.contains { $0.severity == .error } }
}
