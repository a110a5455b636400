import AsyncHTTPClient
import JSON
import NIOCore

/// An OAuth2 token endpoint (`https://oauth2.googleapis.com/token`): a form posted, a token
/// answered. Transport failures, 408, 429 and 5xx are retried with the stores' jittered backoff
/// (``RetryPolicy``, three attempts in all); a refusal
/// is a `credentials` error quoting the endpoint's `error` and `error_description` with every
/// secret of the request cut out of them.
struct TokenEndpoint {
    let url: String
    /// What the request carries that must never be printed (an assertion, a refresh token).
    let secrets: [String]

    func exchange(
        _ form: [(String, String)], using http: HTTPClient, source: String, principal: String?
    ) async throws(StoreError)
        -> GoogleAccessToken
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(
            ByteBuffer(string: form.map { "\($0.0)=\(PercentEncoding.encode($0.1, keepingSlash: false))" }.joined(separator: "&")))
        let retry = RetryPolicy(maxAttempts: 3)
        var attempt = 0
        while true {
            attempt += 1
            let status: UInt
            let body: [UInt8]
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                status = response.status.code
                body = Array(buffer: try await response.body.collect(upTo: 64 << 10))
            } catch {
                guard await retry.pause(afterAttempt: attempt) else {
                    throw StoreError(
                        .unreachable, url, "the token endpoint did not answer (\(transportReason(for: error))) (after \(attempt) attempts)",
                        underlying: error)
                }
                continue
            }
            if status == 200 {
                return try GoogleAccessToken.parse(body, now: wallClock(), source: source, principal: principal, subject: url)
            }
            if status == 408 || RetryPolicy.isRetryable(status: Int(status), code: nil), await retry.pause(afterAttempt: attempt) {
                continue
            }
            if (400...499).contains(status), status != 408, status != 429 {
                throw StoreError(.credentials, url, "the token endpoint refused the \(source): \(refusal(body, status: status))")
            }
            throw StoreError(.server, url, "the token endpoint answered HTTP \(status) (after \(attempt) attempts)")
        }
    }

    /// `error (error_description)` from an OAuth2 error answer, secrets cut out, at most 300
    /// characters; the HTTP status when the answer is not such JSON.
    private func refusal(_ body: [UInt8], status: UInt) -> String {
        guard let document = try? JSONValue(parsing: body), let code = document["error"]?.string else { return "HTTP \(status)" }
        var text = document["error_description"]?.string.map { "\(code) (\($0))" } ?? code
        for secret in secrets where !secret.isEmpty { text = text.replacing(secret, with: "…") }
        return String(text.prefix(300))
    }
}
