/// One thing a verification found, with where it is.
public struct Finding: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case info
        case warning
        case error

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            }
        }

        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public let severity: Severity
    /// A stable identifier (`block.checksum_mismatch`, `data.checksum_mismatch`, …).
    public let code: String
    /// One readable line.
    public let message: String
    /// The tensor it concerns, if any (display form).
    public let tensor: String?
    /// The file it concerns, if any.
    public let file: String?
    /// The byte offset in ``file``, if known.
    public let offset: Int?

    public init(_ severity: Severity, _ code: String, _ message: String, tensor: String? = nil, file: String? = nil, offset: Int? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.tensor = tensor
        self.file = file
        self.offset = offset
    }
}
