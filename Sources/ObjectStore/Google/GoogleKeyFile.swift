import JSON
import MappedIO

/// A credentials file as Google's tools write them: a service account's key
/// (`"type": "service_account"`, from the console or `gcloud iam service-accounts keys create`)
/// or a user's refresh token (`"type": "authorized_user"`, from
/// `gcloud auth application-default login`).
enum GoogleKeyFile: Sendable {
    /// A service account: its email, the RSA private key (PEM), the key's id and the token URI.
    case serviceAccount(email: String, privateKey: String, keyID: String?, tokenURI: String)
    /// A user: the OAuth client's id and secret, and the refresh token.
    case authorizedUser(clientID: String, clientSecret: String, refreshToken: String, tokenURI: String)

    /// Google's token endpoint, where a file names none.
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// The file at `path`, which must be a regular file of at most 1 MiB holding one of the two
    /// kinds; `origin` says how it was found (`GOOGLE_APPLICATION_CREDENTIALS`), for errors.
    /// Throws the `FileError` of a file that cannot be read, a `StoreError` (`credentials`) for
    /// what it holds.
    init(path: String, origin: String) throws {
        let subject = "\(path) (\(origin))"
        let bytes = try MappedFile(path: path).withUnsafeBytes { raw throws(StoreError) in
            guard raw.count <= 1 << 20 else { throw StoreError(.credentials, subject, "a credentials file larger than 1 MiB") }
            return Array(raw)
        }
        guard let document = try? JSONValue(parsing: bytes) else {
            throw StoreError(.credentials, subject, "the credentials file is not JSON")
        }
        func field(_ name: String) throws(StoreError) -> String {
            guard let value = document[name]?.string, !value.isEmpty else {
                throw StoreError(.credentials, subject, "the credentials file has no \(name)")
            }
            return value
        }
        let tokenURI = document["token_uri"]?.string ?? Self.defaultTokenURI
        guard tokenURI.hasPrefix("https://") || tokenURI.hasPrefix("http://") else {
            throw StoreError(.credentials, subject, "the credentials file's token_uri is not an http(s) URL")
        }
        switch document["type"]?.string {
        case "service_account":
            self = .serviceAccount(
                email: try field("client_email"), privateKey: try field("private_key"), keyID: document["private_key_id"]?.string,
                tokenURI: tokenURI)
        case "authorized_user":
            self = .authorizedUser(
                clientID: try field("client_id"), clientSecret: try field("client_secret"), refreshToken: try field("refresh_token"),
                tokenURI: tokenURI)
        case let other:
            throw StoreError(
                .credentials, subject,
                "credentials of type \(other.map { "'\($0)'" } ?? "(none)") are not supported (service_account or authorized_user)")
        }
    }
}
