import Crypto
import JSON
import _CryptoExtras

/// The signed JWT a service account exchanges for an access token (RFC 7523, as Google's token
/// endpoint takes it): RS256 over the header `{"alg":"RS256","typ":"JWT","kid":…}` and the
/// claims `iss` (the account's email), `scope`, `aud` (the token URI), `iat` and `exp` (an hour
/// later).
struct ServiceAccountAssertion {
    /// What the tools do with a bucket: read, list, create and replace objects.
    static let scope = "https://www.googleapis.com/auth/devstorage.read_write"

    let email: String
    let keyID: String?
    let audience: String

    /// The assertion, signed with `privateKey` (PEM, PKCS#8 or PKCS#1) at `now` (seconds since
    /// 1970). A key that is not an RSA key of at least 2048 bits is a `credentials` error naming
    /// `subject`; the key never appears in it.
    func signed(with privateKey: String, at now: Double, subject: String) throws(StoreError) -> String {
        let issued = Int64(now)
        let header = JSONValue.object(
            [("alg", .string("RS256")), ("typ", .string("JWT"))] + (keyID.map { [("kid", JSONValue.string($0))] } ?? []))
        let claims = JSONValue.object([
            ("iss", .string(email)), ("scope", .string(Self.scope)), ("aud", .string(audience)), ("iat", .int(issued)),
            ("exp", .int(issued + 3600)),
        ])
        let input = Self.base64URL(Array(header.serialized().utf8)) + "." + Self.base64URL(Array(claims.serialized().utf8))
        let signature: _RSA.Signing.RSASignature
        do {
            let key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKey)
            signature = try key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
        } catch {
            throw StoreError(.credentials, subject, "the private_key is not an RSA private key of at least 2048 bits in PEM")
        }
        return input + "." + Self.base64URL(Array(signature.rawRepresentation))
    }

    /// Base64url without padding (RFC 7515).
    static func base64URL(_ bytes: [UInt8]) -> String {
        String(Base64.encode(bytes).compactMap { $0 == "=" ? nil : $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}
