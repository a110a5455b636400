import AsyncHTTPClient
import JSON
import NIOHTTP1
import Synchronization

/// Google Cloud Storage's side of a request: the JSON API's paths, a bearer token (none for an
/// emulator), and refusals as a JSON error document.
struct GoogleDialect: StoreDialect {
    let endpoint: StoreConfiguration.Endpoint
    let credentials: GoogleCredentials
    let http: HTTPClient
    /// The account the last token acts as, when the token says (to name it when permission is
    /// denied).
    let principal = LastPrincipal()

    /// The principal of the last token, shared by the copies of a dialect.
    final class LastPrincipal: Sendable {
        let value = Mutex<String?>(nil)
    }

    var endpointURL: String { endpoint.url }

    func request(for call: StoreCall) async throws(StoreError) -> HTTPClientRequest {
        let path = call.path ?? Self.objectPath(call.location)
        let query = call.query.map {
            "\(PercentEncoding.encode($0.name, keepingSlash: false))=\(PercentEncoding.encode($0.value, keepingSlash: false))"
        }
        let separator = path.contains("?") ? "&" : "?"
        var request = HTTPClientRequest(url: endpoint.url + path + (query.isEmpty ? "" : separator + query.joined(separator: "&")))
        request.method = call.method
        for (name, value) in call.headers { request.headers.add(name: name, value: value) }
        if let token = try await credentials.token(using: http) {
            request.headers.add(name: "authorization", value: "Bearer " + token.value)
            principal.value.withLock { $0 = token.principal }
        }
        return request
    }

    /// `/storage/v1/b/BUCKET/o/OBJECT`, the object's resource, its name encoded as one segment.
    static func objectPath(_ location: ObjectLocation) -> String {
        "/storage/v1/b/\(PercentEncoding.encode(location.bucket, keepingSlash: false))/o/"
            + PercentEncoding.encode(location.key, keepingSlash: false)
    }

    /// `/storage/v1/b/BUCKET/o`, the bucket's objects (listing).
    static func objectsPath(_ bucket: ObjectLocation) -> String {
        "/storage/v1/b/\(PercentEncoding.encode(bucket.bucket, keepingSlash: false))/o"
    }

    /// `/upload/storage/v1/b/BUCKET/o`, where uploads start.
    static func uploadPath(_ location: ObjectLocation) -> String {
        "/upload" + objectsPath(location)
    }

    func refusal(status: Int, headers: HTTPHeaders, body: [UInt8], call: StoreCall) -> (error: StoreError, retryable: Bool) {
        let document = try? JSONValue(parsing: body)
        let message = document?["error"]?["message"]?.string.map { String($0.prefix(300)) }
        let reason = document?["error"]?["errors"]?.elements?.first?["reason"]?.string
        let said = " (HTTP \(status)" + (message.map { ": " + $0 } ?? "") + ")"
        let subject = call.subject
        // Google's guidance: retry 408, 429 and 5xx.
        let retryable = status == 408 || status == 429 || status >= 500
        let error: StoreError
        switch status {
        // A request about the bucket itself (a listing) can only miss the bucket.
        case 404 where call.location.key.isEmpty || Self.isAboutBucket(message):
            error = StoreError(.noSuchBucket, call.location.bucketURL, "no such bucket")
        case 404:
            error = StoreError(.notFound, subject, "no such object" + said)
        case 401:
            error = StoreError(.credentials, subject, "the store refused the access token" + said)
        case 403 where reason == "userProjectMissing" || reason == "accountDisabled":
            error = StoreError(.credentials, subject, "the store refused the account" + said)
        case 403:
            let who = principal.value.withLock { $0 }.map { " for \($0)" } ?? ""
            error = StoreError(.accessDenied, subject, "permission denied\(who)" + said)
        case 412:
            error = StoreError(.preconditionFailed, subject, "the object exists or changed (precondition failed)")
        case 409:
            error = StoreError(.conflict, subject, "a concurrent write to the same key" + said)
        case 408, 429, 500...:
            error = StoreError(.server, subject, "the store keeps failing" + said)
        default:
            error = StoreError(.invalidRequest, subject, "the store refused the request" + said)
        }
        return (error, retryable)
    }

    /// Whether a 404's message says the bucket is missing ("The specified bucket does not
    /// exist.", or an emulator's "bucket not found").
    static func isAboutBucket(_ message: String?) -> Bool {
        guard let message = message?.lowercased() else { return false }
        return message.contains("bucket") && (message.contains("not exist") || message.contains("not found"))
    }
}
