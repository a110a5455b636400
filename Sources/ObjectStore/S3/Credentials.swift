/// AWS-style access credentials. The secret and the token never appear in descriptions.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    /// The session token of temporary credentials (`x-amz-security-token`).
    public let sessionToken: String?
    /// When temporary credentials stop working, in seconds since 1970; nil when they do not.
    public let expiration: Double?
    /// Where they were found, for messages: `environment`, `profile default`, `instance metadata`.
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Double? = nil, source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String { "credentials from \(source)" }
}
