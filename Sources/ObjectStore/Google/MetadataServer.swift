import AsyncHTTPClient
import NIOCore

/// The metadata server of a Compute Engine machine or a GKE pod: the access token and email of
/// the machine's (or, with Workload Identity, the pod's) service account. Every request carries
/// `Metadata-Flavor: Google`, and an answer without it is not taken for the metadata server's.
struct MetadataServer {
    /// `http://metadata.google.internal`, or `http://` + `GCE_METADATA_HOST`.
    let base: String

    private static let account = "/computeMetadata/v1/instance/service-accounts/default/"

    func token(using http: HTTPClient) async throws(StoreError) -> GoogleAccessToken {
        let body = try await get(Self.account + "token")
        let email = try? await get(Self.account + "email")
        let principal = email.map { String(decoding: $0, as: UTF8.self) }.flatMap { $0.contains("@") ? $0 : nil }
        return try GoogleAccessToken.parse(
            body, now: wallClock(), source: "the metadata server (\(principal ?? "default service account"))", principal: principal,
            subject: base)

        func get(_ path: String) async throws(StoreError) -> [UInt8] {
            var request = HTTPClientRequest(url: base + path)
            request.headers.add(name: "Metadata-Flavor", value: "Google")
            let response: HTTPClientResponse
            let body: [UInt8]
            do {
                response = try await http.execute(request, timeout: .seconds(3))
                body = Array(buffer: try await response.body.collect(upTo: 64 << 10))
            } catch {
                throw StoreError(
                    .credentials, "credentials",
                    "no Google credentials found (set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, run 'gcloud auth application-default login', or run on Google Cloud with a service account; the metadata server at \(base) did not answer: \(transportReason(for: error)))"
                )
            }
            guard response.headers.first(name: "Metadata-Flavor") == "Google" else {
                throw StoreError(.malformedResponse, base, "the answer is not the metadata server's (no Metadata-Flavor: Google)")
            }
            guard response.status == .ok else {
                throw StoreError(.credentials, base + path, "the metadata server answered HTTP \(response.status.code)")
            }
            return body
        }
    }
}
