import MappedIO
import ObjectStore

/// Why work on checkpoints in an object store failed: a code to decide on, one readable line
/// naming the object (or the local file) and the cause, and the error it reports, kept whole.
public struct RemoteError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. New kinds may be added: compare with `==` or match with a `default`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notAURL = "not an object-store URL", noSuchCheckpoint = "no such checkpoint", notAnArchive = "not an archive"
            case noSuchStep = "no such step", exists, archived, archive, store, local, usage
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
        /// The archive's manifest or chains are refused (its `ArchiveError` is the cause).
        public static let archive = Code(.archive)
        /// The store failed (its ``StoreError`` is the cause).
        public static let store = Code(.store)
        /// A local file (a staging copy) failed.
        public static let local = Code(.local)
        /// The request cannot work as asked (one checkpoint where a folder is needed).
        public static let usage = Code(.usage)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// One line: the object or file, and what is wrong.
    public let message: String
    /// The error this one reports (a ``StoreError``, a ``FileError``, an archive's error), if any.
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A store failure, as the store described it.
    public init(_ error: StoreError) {
        self.init(.store, error.description, cause: error)
    }

    /// A local file failure.
    public init(_ error: FileError) {
        self.init(.local, error.description, cause: error)
    }

    /// The ``StoreError`` this one reports, if it reports one.
    public var storeError: StoreError? { cause as? StoreError }

    public var description: String { message }
}
