import AsyncHTTPClient

/// Finds credentials the way AWS tools do, and renews temporary ones before they expire:
/// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, then the profile's keys
/// in the shared files, then the instance metadata service.
actor CredentialChain {
    private let environment: Credentials?
    private let profile: Credentials?
    private let instanceMetadata: InstanceMetadata?
    private var cached: Credentials?

    init(environment: [String: String], configuration: StoreConfiguration) {
        if let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"] {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            self.environment = Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, source: "environment")
        } else {
            self.environment = nil
        }
        self.profile = configuration.profileCredentials
        self.instanceMetadata = configuration.instanceMetadata
    }

    /// Credentials valid for at least five more minutes.
    func current(using http: HTTPClient) async throws(StoreError) -> Credentials {
        if let found = environment ?? profile { return found }
        if let cached, (cached.expiration ?? .infinity) > wallClock() + 300 { return cached }
        guard let instanceMetadata, let fetched = try await instanceMetadata.credentials(using: http) else {
            throw StoreError(
                .credentials, "credentials",
                "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials, or run on a machine with an instance role)"
            )
        }
        cached = fetched
        return fetched
    }
}
