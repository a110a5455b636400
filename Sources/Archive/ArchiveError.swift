/// Why an archive operation failed, where the archive layer itself decides it (no manifest, a
/// damaged one, a missing step, another archiver at work): one readable line naming the file
/// or step and the cause. Failures of the layers below (a ``DeltaError``, a ``FileError``) are
/// thrown as they are.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds may be added: compare with `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notAnArchive = "not an archive", corrupt, busy, noSuchStep = "no such step", exists, io = "I/O", usage
        }

        private let kind: Kind

        /// The directory holds no archive manifest.
        public static let notAnArchive = Code(kind: .notAnArchive)
        /// The manifest or a file it names is damaged.
        public static let corrupt = Code(kind: .corrupt)
        /// Another process is archiving into the same directory.
        public static let busy = Code(kind: .busy)
        /// The archive holds no such step.
        public static let noSuchStep = Code(kind: .noSuchStep)
        /// An output file exists and overwriting was not asked for.
        public static let exists = Code(kind: .exists)
        /// A file could not be read or written.
        public static let io = Code(kind: .io)
        /// The arguments cannot work together.
        public static let usage = Code(kind: .usage)

        public var description: String { kind.rawValue }

        private init(kind: Kind) {
            self.kind = kind
        }
    }

    public let code: Code
    /// One readable line: the archive, file or step, and what is wrong.
    public let cause: String

    public init(_ code: Code, _ cause: String) {
        self.code = code
        self.cause = cause
    }

    public var description: String { cause }
}
