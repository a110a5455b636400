import AsyncHTTPClient

/// A client of one S3-compatible store: signed requests, retried with backoff, many in flight.
///
/// Every operation throws ``StoreError`` with one readable line. Retryable failures (5xx,
/// `SlowDown`, timeouts, reset connections) are retried up to the configured attempts; a read
/// interrupted mid-body resumes where it stopped. Call ``shutdown()`` when done.
public final class S3Client: Sendable {
    public let configuration: StoreConfiguration
    let transport: StoreTransport<S3Dialect>

    /// A client configured from `environment` (see ``StoreConfiguration/fromEnvironment(_:)``).
    public convenience init(environment: [String: String] = StoreConfiguration.processEnvironment) throws {
        let configuration = try StoreConfiguration.fromEnvironment(environment)
        self.init(configuration: configuration, environment: environment)
    }

    public init(configuration: StoreConfiguration, environment: [String: String]) {
        let http = StoreTransport<S3Dialect>.client(
            connections: configuration.connections, connectTimeout: configuration.connectTimeout, readTimeout: configuration.readTimeout)
        self.configuration = configuration
        self.transport = StoreTransport(
            http: http,
            dialect: S3Dialect(
                configuration: configuration, credentials: CredentialChain(environment: environment, configuration: configuration),
                http: http),
            retry: RetryPolicy(maxAttempts: configuration.maxAttempts), lowSpeed: configuration.lowSpeed)
    }

    public var connections: Int { configuration.connections }
    public var rangeSize: Int { configuration.rangeSize }

    /// Closes every connection. Call once, when no operation is running.
    public func shutdown() async {
        try? await transport.http.shutdown()
    }
}
