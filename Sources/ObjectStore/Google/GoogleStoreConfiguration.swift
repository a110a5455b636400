/// How to reach Google Cloud Storage's JSON API and how to bound transfers with it.
public struct GoogleStoreConfiguration: Sendable, TransferSettings {
    /// `https://storage.googleapis.com`, or the emulator `STORAGE_EMULATOR_HOST` names.
    public var endpoint: StoreConfiguration.Endpoint
    public var connections = 64
    public var maxAttempts = 8
    public var rangeSize = 8 << 20
    /// Bytes per chunk of a resumable upload (a multiple of 256 KiB, as the API requires).
    public var partSize = 16 << 20
    /// Objects at least this large are uploaded with a resumable upload, smaller ones in one
    /// request.
    public var resumableThreshold = 64 << 20
    public var connectTimeout = 3
    public var readTimeout = 60
    public var lowSpeed = LowSpeedLimit(bytesPerSecond: 1024, seconds: 30)
    public var maxListPages = 100_000

    public init(endpoint: StoreConfiguration.Endpoint) {
        self.endpoint = endpoint
    }

    /// The configuration the environment describes: `STORAGE_EMULATOR_HOST` (`HOST:PORT` or
    /// `http://HOST:PORT`, as Google's client libraries take it) for an emulator, else Google's
    /// endpoint; transfers bounded by the variables ``TransferSettings`` reads.
    ///
    /// - Throws: ``StoreError`` naming the variable whose value cannot be used.
    public static func fromEnvironment(_ environment: [String: String]) throws(StoreError) -> GoogleStoreConfiguration {
        var endpoint = StoreConfiguration.Endpoint(secure: true, host: "storage.googleapis.com", port: nil)
        if let emulator = environment["STORAGE_EMULATOR_HOST"], !emulator.isEmpty {
            let url = emulator.contains("://") ? emulator : "http://" + emulator
            guard let parsed = StoreConfiguration.Endpoint(url: url) else {
                throw StoreError(.invalidRequest, "STORAGE_EMULATOR_HOST", "\"\(emulator)\" is not HOST:PORT or an http:// URL of one")
            }
            endpoint = parsed
        }
        var configuration = GoogleStoreConfiguration(endpoint: endpoint)
        try configuration.read(from: environment)
        configuration.partSize = max(256 << 10, configuration.partSize / (256 << 10) * (256 << 10))
        return configuration
    }
}
