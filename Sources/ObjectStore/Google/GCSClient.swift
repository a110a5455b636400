import AsyncHTTPClient

/// A client of Google Cloud Storage through its JSON API: OAuth2 bearer tokens (none for an
/// emulator), requests retried as Google advises (408, 429 and 5xx, with jittered exponential
/// backoff), many in flight, and every upload and whole-object download checked against the
/// CRC-32C the store keeps for each object.
///
/// Writes are made safe by generation preconditions: `ifGenerationMatch=0` creates only, and
/// `ifGenerationMatch=N` replaces only generation N, so such a write may be retried; one without
/// a precondition (a replacement with `--force`) is sent once, and a resumable upload's chunks
/// resume from what the store committed. Call ``shutdown()`` when done.
public final class GCSClient: Sendable {
    public let configuration: GoogleStoreConfiguration
    let transport: StoreTransport<GoogleDialect>

    /// A client configured from `environment`: the endpoint and limits as
    /// ``GoogleStoreConfiguration/fromEnvironment(_:)`` reads them, credentials as
    /// ``GoogleCredentials`` finds them.
    ///
    /// - Throws: ``StoreError`` for a setting that cannot be used or credentials that cannot be
    ///   read, `FileError` for a credentials file that cannot be opened.
    public convenience init(environment: [String: String] = StoreConfiguration.processEnvironment) throws {
        self.init(
            configuration: try GoogleStoreConfiguration.fromEnvironment(environment),
            credentials: try GoogleCredentials(environment: environment))
    }

    public init(configuration: GoogleStoreConfiguration, credentials: GoogleCredentials) {
        let http = StoreTransport<GoogleDialect>.client(
            connections: configuration.connections, connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout)
        self.configuration = configuration
        self.transport = StoreTransport(
            http: http, dialect: GoogleDialect(endpoint: configuration.endpoint, credentials: credentials, http: http),
            retry: RetryPolicy(maxAttempts: configuration.maxAttempts), lowSpeed: configuration.lowSpeed)
    }

    public var connections: Int { configuration.connections }
    public var rangeSize: Int { configuration.rangeSize }

    public func shutdown() async {
        try? await transport.http.shutdown()
    }
}
