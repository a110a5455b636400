import AsyncHTTPClient
import NIOHTTP1
import Testing

@testable import ObjectStore

/// What Google's JSON API refusals become: one line with the right code, the account named when
/// permission is denied, and retries only for 408, 429 and 5xx.
struct GoogleRefusalTests {
    @Test func refusalsAreCodedAndNamed() async throws {
        let http = StoreTransport<GoogleDialect>.client(connections: 1, connectTimeout: 1, readTimeout: 1)
        let dialect = GoogleDialect(
            endpoint: StoreConfiguration.Endpoint(secure: true, host: "storage.googleapis.com", port: nil),
            credentials: try GoogleCredentials(environment: ["STORAGE_EMULATOR_HOST": "127.0.0.1:9"]), http: http)
        let object = try #require(ObjectLocation(url: "gs://ckpt-runs/exp7/ckpt-1.index"))
        func refusal(_ status: Int, _ message: String, _ call: StoreCall) -> (error: StoreError, retryable: Bool) {
            let body = #"{"error": {"code": \#(status), "message": "\#(message)", "errors": [{"reason": "r"}]}}"#
            return dialect.refusal(status: status, headers: HTTPHeaders(), body: Array(body.utf8), call: call)
        }
        let get = StoreCall(.GET, object)

        dialect.principal.value.withLock { $0 = "trainer@proj.iam.gserviceaccount.com" }
        let denied = refusal(403, "trainer@proj.iam.gserviceaccount.com does not have storage.objects.get access", get)
        #expect(denied.error.code == .accessDenied && !denied.retryable)
        #expect(denied.error.description.hasPrefix("gs://ckpt-runs/exp7/ckpt-1.index: permission denied for trainer@proj"))
        #expect(!denied.error.description.contains("\n"))

        #expect(refusal(401, "Invalid Credentials", get).error.code == .credentials)
        #expect(refusal(404, "No such object: ckpt-runs/exp7/ckpt-1.index", get).error.code == .notFound)
        let bucket = refusal(404, "The specified bucket does not exist.", get).error
        #expect(bucket.code == .noSuchBucket && bucket.description == "gs://ckpt-runs: no such bucket")
        #expect(refusal(404, "Not Found", StoreCall(.GET, object.bucketLocation)).error.code == .noSuchBucket)
        let lost = refusal(412, "At least one of the pre-conditions you specified did not hold.", get)
        #expect(lost.error.code == .preconditionFailed && !lost.retryable)
        for status in [408, 429, 500, 503] { #expect(refusal(status, "try again", get).retryable, "\(status)") }
        for status in [400, 401, 403, 404, 409, 412] { #expect(!refusal(status, "no", get).retryable, "\(status)") }
        try await http.shutdown()
    }
}
