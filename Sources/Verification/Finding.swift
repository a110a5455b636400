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

    /// A stable identifier (`block.checksum_mismatch`, `state.order`, …): see
    /// `FindingCodes.swift` for the set, and the codes of the readers it comes from.
    public struct Code: RawRepresentable, Sendable, Hashable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public init(stringLiteral value: String) {
            rawValue = value
        }

        public var description: String { rawValue }

        public static func < (a: Code, b: Code) -> Bool { a.rawValue < b.rawValue }
    }

    public let severity: Severity
    public let code: Code
    /// One readable line.
    public let message: String
    /// The tensor it concerns, if any (display form).
    public let tensor: String?
    /// The file it concerns, if any.
    public let file: String?
    /// The byte offset in ``file``, if known.
    public let offset: Int?

    public init(_ severity: Severity, _ code: Code, _ message: String, tensor: String? = nil, file: String? = nil, offset: Int? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.tensor = tensor
        self.file = file
        self.offset = offset
    }
}
