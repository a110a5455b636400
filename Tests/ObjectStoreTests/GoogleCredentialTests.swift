import AsyncHTTPClient
import Crypto
import FixtureSupport
import Foundation
import JSON
import NIOHTTP1
import Synchronization
import Testing
import _CryptoExtras

@testable import ObjectStore

/// The three ways Google's tools authenticate, against token endpoints and a metadata server on
/// loopback: a service account's JWT (its signature checked with the key's public half), a
/// user's refresh token, the metadata server; renewal before expiry; and secrets kept out of
/// every error.
@Suite(.timeLimit(.minutes(1))) struct GoogleCredentialTests {
    static let email = "trainer@ml-project.iam.gserviceaccount.com"

    /// The fields of a JWT: header, claims, and whether `key` signed it with RS256.
    static func decode(_ jwt: String, verifyingWith key: _RSA.Signing.PublicKey) -> (JSONValue, JSONValue, Bool)? {
        let parts = jwt.split(separator: ".").map(String.init)
        guard parts.count == 3, let header = base64URLDecoded(parts[0]), let claims = base64URLDecoded(parts[1]),
            let signature = base64URLDecoded(parts[2]), let headerJSON = try? JSONValue(parsing: header),
            let claimsJSON = try? JSONValue(parsing: claims)
        else { return nil }
        let valid = key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: Array((parts[0] + "." + parts[1]).utf8)),
            padding: .insecurePKCS1v1_5)
        return (headerJSON, claimsJSON, valid)
    }

    static func base64URLDecoded(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }

    static func write(_ document: JSONValue, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try document.serialized().write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func token(_ value: String, expiresIn seconds: Int) -> LoopbackHTTPServer.Response {
        .init(
            headers: [("Content-Type", "application/json")],
            body: "{\"access_token\":\"\(value)\",\"expires_in\":\(seconds),\"token_type\":\"Bearer\"}")
    }

    static func refusal(_ description: String) -> LoopbackHTTPServer.Response {
        .init(
            status: .badRequest,
            body: JSONValue.object([("error", .string("invalid_grant")), ("error_description", .string(description))]).serialized())
    }

    /// A service-account key file whose token URI is `server`'s, and the key's public half.
    static func serviceAccount(in folder: TemporaryDirectory, tokenURI: String) throws -> (path: String, key: _RSA.Signing.PrivateKey) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let path = folder.path("key.json")
        try write(
            .object([
                ("type", .string("service_account")), ("project_id", .string("ml-project")), ("private_key_id", .string("k-1")),
                ("private_key", .string(key.pkcs8PEMRepresentation)), ("client_email", .string(email)), ("token_uri", .string(tokenURI)),
            ]), to: path)
        return (path, key)
    }

    @Test func aServiceAccountSignsAJWTTheEndpointVerifies() async throws {
        let folder = TemporaryDirectory()
        let keys = Mutex<_RSA.Signing.PublicKey?>(nil)
        let server = try await LoopbackHTTPServer { request in
            let form = request.form
            guard request.method == .POST, request.path == "/token",
                form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"],
                let key = keys.withLock({ $0 }), let (header, claims, valid) = Self.decode(assertion, verifyingWith: key), valid,
                header["alg"]?.string == "RS256", header["kid"]?.string == "k-1", claims["iss"]?.string == Self.email,
                claims["scope"]?.string == "https://www.googleapis.com/auth/devstorage.read_write",
                let issued = claims["iat"]?.integer, claims["exp"]?.integer == issued + 3600,
                abs(Double(issued) - Date().timeIntervalSince1970) < 60
            else { return Self.refusal("Invalid JWT Signature.") }
            return Self.token("ya29.service", expiresIn: 3600)
        }
        let (path, key) = try Self.serviceAccount(in: folder, tokenURI: server.url + "/token")
        keys.withLock { $0 = key.publicKey }
        let credentials = try GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path, "HOME": folder.path])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = try #require(try await credentials.token(using: http))
        #expect(token.value == "ya29.service" && token.principal == Self.email)
        #expect(!token.description.contains("ya29"))
        // An hour's token is used again, not fetched again.
        #expect(try await credentials.token(using: http)?.value == "ya29.service")
        #expect(server.requests.count == 1)
        // The endpoint's audience claim is the token URI the file names.
        let claims = Self.decode(server.requests[0].form["assertion"]!, verifyingWith: key.publicKey)!.1
        #expect(claims["aud"]?.string == server.url + "/token")
        try await http.shutdown()
        try await server.shutdown()
    }

    @Test func aRefusedAssertionIsOneLineWithoutTheAssertion() async throws {
        let folder = TemporaryDirectory()
        // The endpoint checks with another key, and quotes what it was sent.
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey
        let server = try await LoopbackHTTPServer { request in
            let assertion = request.form["assertion"] ?? ""
            let valid = Self.decode(assertion, verifyingWith: other)?.2 ?? false
            return valid ? Self.token("never", expiresIn: 3600) : Self.refusal("Invalid JWT Signature: \(assertion)")
        }
        let (path, _) = try Self.serviceAccount(in: folder, tokenURI: server.url + "/token")
        let credentials = try GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": path])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let error = try await #require(throws: StoreError.self) { _ = try await credentials.token(using: http) }
        let assertion = try #require(server.requests.first?.form["assertion"])
        #expect(error.code == .credentials)
        #expect(error.description.contains("invalid_grant") && error.description.contains(Self.email))
        #expect(!error.description.contains(assertion) && !error.description.contains("\n"))
        try await http.shutdown()
        try await server.shutdown()
    }

    @Test func gcloudsRefreshTokenIsRenewedBeforeItExpires() async throws {
        let folder = TemporaryDirectory()
        let server = try await LoopbackHTTPServer { request in
            let form = request.form
            guard form["grant_type"] == "refresh_token", form["client_id"] == "client.apps.googleusercontent.com",
                form["client_secret"] == "s3cr3t", form["refresh_token"] == "1//refresh"
            else { return Self.refusal("Token has been expired or revoked: 1//refresh s3cr3t") }
            // Four minutes: inside the five-minute margin, so every call fetches anew.
            return Self.token("ya29.user", expiresIn: 240)
        }
        try Self.write(
            .object([
                ("type", .string("authorized_user")), ("client_id", .string("client.apps.googleusercontent.com")),
                ("client_secret", .string("s3cr3t")), ("refresh_token", .string("1//refresh")),
                ("token_uri", .string(server.url + "/token")),
            ]), to: folder.path(".config/gcloud/application_default_credentials.json"))
        let credentials = try GoogleCredentials(environment: ["HOME": folder.path])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        #expect(try await credentials.token(using: http)?.value == "ya29.user")
        #expect(try await credentials.token(using: http)?.value == "ya29.user")
        #expect(server.requests.count == 2)
        try await http.shutdown()
        try await server.shutdown()

        // Revoked: the refusal names the endpoint's reason, never the secret or the token.
        let revoked = try await LoopbackHTTPServer { _ in Self.refusal("Token has been expired or revoked: 1//refresh s3cr3t") }
        try Self.write(
            .object([
                ("type", .string("authorized_user")), ("client_id", .string("c")), ("client_secret", .string("s3cr3t")),
                ("refresh_token", .string("1//refresh")), ("token_uri", .string(revoked.url + "/token")),
            ]), to: folder.path("user.json"))
        let stale = try GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": folder.path("user.json")])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let error = try await #require(throws: StoreError.self) { _ = try await stale.token(using: client) }
        #expect(error.code == .credentials && error.description.contains("expired or revoked"))
        #expect(!error.description.contains("1//refresh") && !error.description.contains("s3cr3t"))
        try await client.shutdown()
        try await revoked.shutdown()
    }

    @Test func theMetadataServerIsAskedWithItsFlavor() async throws {
        let server = try await LoopbackHTTPServer { request in
            guard request.headers.first(name: "Metadata-Flavor") == "Google" else { return .init(status: .forbidden) }
            let flavor = [("Metadata-Flavor", "Google")]
            switch request.path {
            case "/computeMetadata/v1/instance/service-accounts/default/token":
                var response = Self.token("ya29.pod", expiresIn: 3599)
                response.headers += flavor
                return response
            case "/computeMetadata/v1/instance/service-accounts/default/email":
                return .init(headers: flavor, body: "pod@ml-project.iam.gserviceaccount.com")
            default:
                return .init(status: .notFound, headers: flavor)
            }
        }
        let host = String(server.url.dropFirst("http://".count))
        let credentials = try GoogleCredentials(environment: ["GCE_METADATA_HOST": host, "HOME": "/nonexistent"])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = try #require(try await credentials.token(using: http))
        #expect(token.value == "ya29.pod" && token.principal == "pod@ml-project.iam.gserviceaccount.com")
        #expect(server.requests.allSatisfy { $0.headers.first(name: "Metadata-Flavor") == "Google" })
        try await server.shutdown()

        // Something else answering at that address is not taken for the metadata server.
        let impostor = try await LoopbackHTTPServer { _ in Self.token("ya29.impostor", expiresIn: 3600) }
        let fooled = try GoogleCredentials(environment: ["GCE_METADATA_HOST": String(impostor.url.dropFirst(7)), "HOME": "/nonexistent"])
        let error = try await #require(throws: StoreError.self) { _ = try await fooled.token(using: http) }
        #expect(error.code == .malformedResponse)
        try await impostor.shutdown()

        // Nobody answering: no credentials, said with what to do.
        let nobody = try GoogleCredentials(environment: ["GCE_METADATA_HOST": "127.0.0.1:9", "HOME": "/nonexistent"])
        let missing = try await #require(throws: StoreError.self) { _ = try await nobody.token(using: http) }
        #expect(missing.code == .credentials && missing.description.contains("GOOGLE_APPLICATION_CREDENTIALS"))
        try await http.shutdown()
    }

    @Test func anEmulatorGetsNoCredentials() async throws {
        let credentials = try GoogleCredentials(environment: [
            "STORAGE_EMULATOR_HOST": "http://127.0.0.1:4443", "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json",
        ])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        #expect(try await credentials.token(using: http) == nil)
        try await http.shutdown()
    }

    @Test func unusableCredentialFilesAreRefusedUpFront() throws {
        let folder = TemporaryDirectory()
        func refusal(_ document: JSONValue) -> String? {
            try? Self.write(document, to: folder.path("key.json"))
            do {
                _ = try GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": folder.path("key.json")])
                return nil
            } catch let error as StoreError where error.code == .credentials {
                return error.description
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(refusal(.object([("type", .string("external_account"))]))?.contains("'external_account' are not supported") == true)
        #expect(
            refusal(.object([("type", .string("service_account")), ("private_key", .string("x"))]))?.contains("no client_email") == true)
        #expect(
            refusal(
                .object([
                    ("type", .string("authorized_user")), ("client_id", .string("c")), ("client_secret", .string("s")),
                    ("refresh_token", .string("r")), ("token_uri", .string("file:///etc/passwd")),
                ]))?.contains("not an http(s) URL") == true)
        #expect(throws: (any Error).self) {
            _ = try GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": folder.path("absent.json")])
        }
    }

    @Test func aKeyThatIsNotRSAIsACredentialsErrorWithoutTheKey() async throws {
        let folder = TemporaryDirectory()
        let pem = P256.Signing.PrivateKey().pemRepresentation
        try Self.write(
            .object([
                ("type", .string("service_account")), ("client_email", .string(Self.email)), ("private_key", .string(pem)),
                ("token_uri", .string("http://127.0.0.1:9/token")),
            ]), to: folder.path("key.json"))
        let credentials = try GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": folder.path("key.json")])
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let error = try await #require(throws: StoreError.self) { _ = try await credentials.token(using: http) }
        #expect(error.code == .credentials && error.description.contains("not an RSA private key"))
        #expect(!error.description.contains("PRIVATE KEY"))
        try await http.shutdown()
    }
}
