import JSON

/// An OAuth2 access token for Google Cloud Storage's JSON API. The token itself never appears
/// in descriptions.
public struct GoogleAccessToken: Sendable, CustomStringConvertible {
    /// The bearer token (`Authorization: Bearer …`).
    public let value: String
    /// When it stops working, in seconds since 1970.
    public let expiration: Double
    /// Where it came from, for messages: `service account a@p.iam.gserviceaccount.com`.
    public let source: String
    /// The account it acts as, when that is known (a service account's or the metadata
    /// server's email), to name it when permission is denied.
    public let principal: String?

    public var description: String { "access token from \(source)" }

    /// The token in a token endpoint's or metadata server's JSON answer (`access_token`,
    /// `expires_in` seconds from `now`); `subject` names the endpoint in errors.
    static func parse(
        _ body: [UInt8], now: Double, source: String, principal: String?, subject: String
    ) throws(StoreError)
        -> GoogleAccessToken
    {
        guard let document = try? JSONValue(parsing: body), let value = document["access_token"]?.string, !value.isEmpty,
            let lifetime = document["expires_in"]?.integer, (1...(7 * 86400)).contains(lifetime)
        else {
            throw StoreError(.malformedResponse, subject, "the token answer is not JSON with access_token and expires_in (1 s to 7 days)")
        }
        return GoogleAccessToken(value: value, expiration: now + Double(lifetime), source: source, principal: principal)
    }
}
