/// Why work on checkpoints in an object store failed, where this layer decides it (no such
/// checkpoint, not an archive, an object in the way or frozen): a code to decide on and one
/// readable line naming the object and the cause. The store's own failures are thrown as
/// ``StoreError``s, a staging copy's as ``FileError``s.
public struct RemoteError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds may be added: compare with `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notAURL = "not an object-store URL", noSuchCheckpoint = "no such checkpoint", notAnArchive = "not an archive"
            case noSuchStep = "no such step", exists, archived, usage
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The path is not an `s3://BUCKET/KEY` URL the tools take.
        public static let notAURL = Code(.notAURL)
        /// Nothing the path names is a checkpoint, a training folder or a needed object.
        public static let noSuchCheckpoint = Code(.noSuchCheckpoint)
        /// The folder holds no archive manifest, or objects that are not an archive's.
        public static let notAnArchive = Code(.notAnArchive)
        /// The archive holds no such step.
        public static let noSuchStep = Code(.noSuchStep)
        /// An output object exists and replacing it was not asked for (or is never allowed).
        public static let exists = Code(.exists)
        /// Objects sit in an archive storage class and must be thawed before they can be read.
        public static let archived = Code(.archived)
        /// The request cannot work as asked (one checkpoint where a folder is needed).
        public static let usage = Code(.usage)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// One line: the object or folder, and what is wrong.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
