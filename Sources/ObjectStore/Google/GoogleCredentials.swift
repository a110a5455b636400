import AsyncHTTPClient
import MappedIO

/// Finds credentials for Google Cloud Storage as Google's own tools do, and renews the access
/// token before it expires:
///
/// 1. `GOOGLE_APPLICATION_CREDENTIALS`, naming a service account's key file (a JWT signed with
///    RS256, exchanged at the token URI) or a user's credentials file (a refresh token);
/// 2. gcloud's application-default credentials,
///    `$CLOUDSDK_CONFIG` or `~/.config/gcloud`, `application_default_credentials.json`;
/// 3. the metadata server of a Compute Engine machine or GKE pod (Workload Identity):
///    `GCE_METADATA_HOST`, else `metadata.google.internal`, asked with `Metadata-Flavor: Google`.
///
/// With `STORAGE_EMULATOR_HOST` set, requests go to an emulator and carry no credentials at
/// all, whatever else is set, as Google's client libraries do. Tokens, keys, secrets and
/// assertions never appear in any error or description.
public actor GoogleCredentials {
    /// Where tokens come from.
    enum Source: Sendable {
        /// A key or credentials file, with how it was found (for messages).
        case keyFile(GoogleKeyFile, origin: String)
        /// The metadata server at this base URL (`http://metadata.google.internal`).
        case metadataServer(String)
        /// An emulator: no credentials.
        case none
    }

    let source: Source
    private var cached: GoogleAccessToken?

    /// Chooses where tokens will come from, reading a credentials file now: a file that
    /// `GOOGLE_APPLICATION_CREDENTIALS` names but that cannot be read, or that holds no
    /// credentials these tools take, is an error here (its `FileError`, or a `StoreError`
    /// with code `credentials`).
    public init(environment: [String: String]) throws {
        if let emulator = environment["STORAGE_EMULATOR_HOST"], !emulator.isEmpty {
            source = .none
        } else if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty {
            source = .keyFile(
                try GoogleKeyFile(path: path, origin: "GOOGLE_APPLICATION_CREDENTIALS"), origin: "GOOGLE_APPLICATION_CREDENTIALS")
        } else if let path = Self.applicationDefaultPath(environment), FileSystem.kind(of: path) != .missing {
            source = .keyFile(try GoogleKeyFile(path: path, origin: "gcloud application-default credentials"), origin: path)
        } else {
            let host = environment["GCE_METADATA_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "metadata.google.internal"
            source = .metadataServer("http://" + host)
        }
    }

    /// gcloud's application-default credentials file, where `CLOUDSDK_CONFIG` or `HOME` says.
    static func applicationDefaultPath(_ environment: [String: String]) -> String? {
        let folder = environment["CLOUDSDK_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["HOME"].map { $0 + "/.config/gcloud" }
        return folder.map { $0 + "/application_default_credentials.json" }
    }

    /// A token valid for at least five more minutes, fetched when the last one is closer to
    /// expiring; nil when requests carry no credentials (an emulator).
    public func token(using http: HTTPClient) async throws(StoreError) -> GoogleAccessToken? {
        if case .none = source { return nil }
        if let cached, cached.expiration > wallClock() + 300 { return cached }
        let fetched = try await fetch(using: http)
        cached = fetched
        return fetched
    }

    private func fetch(using http: HTTPClient) async throws(StoreError) -> GoogleAccessToken {
        switch source {
        case .keyFile(.serviceAccount(let email, let privateKey, let keyID, let tokenURI), _):
            let source = "service account \(email)"
            let assertion = try ServiceAccountAssertion(email: email, keyID: keyID, audience: tokenURI)
                .signed(with: privateKey, at: wallClock(), subject: source)
            let form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]
            return try await TokenEndpoint(url: tokenURI, secrets: [assertion])
                .exchange(form, using: http, source: source, principal: email)
        case .keyFile(.authorizedUser(let clientID, let clientSecret, let refreshToken, let tokenURI), let origin):
            let form = [
                ("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret),
                ("refresh_token", refreshToken),
            ]
            return try await TokenEndpoint(url: tokenURI, secrets: [clientSecret, refreshToken])
                .exchange(form, using: http, source: "user credentials from \(origin)", principal: nil)
        case .metadataServer(let base):
            return try await MetadataServer(base: base).token(using: http)
        case .none:
            preconditionFailure("no token is fetched for an emulator")
        }
    }
}
