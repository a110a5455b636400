import TensorBundle

/// What verifying one checkpoint found.
public struct CheckpointReport: Sendable {
    /// The status of one tensor.
    public struct TensorStatus: Sendable {
        public let summary: VariableSummary
        /// nil when the tensor read back and matched its checksums.
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
