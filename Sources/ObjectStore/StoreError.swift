/// A failure talking to an object store: what kind, which object, and the cause as one line.
///
/// Messages never contain credentials: only the store's error code and message, the URL of the
/// object, and what this tool was doing.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that react to it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case notFound, noSuchBucket, credentials, accessDenied, clockSkew, unreachable, preconditionFailed
            case conflict, archived, server, malformedResponse, invalidRequest
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The object (or upload) does not exist.
        public static let notFound = Code(.notFound)
        /// The bucket does not exist.
        public static let noSuchBucket = Code(.noSuchBucket)
        /// No credentials, or the store refused them (unknown key, bad signature, expired token).
        public static let credentials = Code(.credentials)
        /// The credentials are valid but not allowed to do this.
        public static let accessDenied = Code(.accessDenied)
        /// This machine's clock is too far from the store's for a signature to be accepted.
        public static let clockSkew = Code(.clockSkew)
        /// The store could not be reached (DNS, refused, reset, timed out) after retries.
        public static let unreachable = Code(.unreachable)
        /// A conditional write lost: the object exists, or changed since it was read.
        public static let preconditionFailed = Code(.preconditionFailed)
        /// A concurrent write to the same key was in progress.
        public static let conflict = Code(.conflict)
        /// The object sits in an archive tier and must be restored before it can be read.
        public static let archived = Code(.archived)
        /// The store kept failing (5xx, `SlowDown`) after retries.
        public static let server = Code(.server)
        /// The store answered something this client cannot read.
        public static let malformedResponse = Code(.malformedResponse)
        /// The store refused the request as invalid.
        public static let invalidRequest = Code(.invalidRequest)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// The object or prefix the operation was about (`s3://bucket/key`), or the endpoint.
    public let subject: String
    /// What happened, without the subject.
    public let cause: String
    /// The error this one reports (the transport's, a local file's), if it reports another.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ subject: String, _ cause: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.subject = subject
        self.cause = cause
        self.underlying = underlying
    }

    public var description: String { "\(subject): \(cause)" }

    /// This failure as the last of `attempts` attempts.
    func after(_ attempts: Int) -> StoreError {
        StoreError(code, subject, cause + " (after \(attempts) attempts)", underlying: underlying)
    }
}
