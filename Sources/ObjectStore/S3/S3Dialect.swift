import AsyncHTTPClient
import NIOHTTP1

/// S3's side of a request: addressed by bucket and key, signed with SigV4, refused with an XML
/// error document.
struct S3Dialect: StoreDialect {
    let configuration: StoreConfiguration
    let credentials: CredentialChain
    let http: HTTPClient

    var endpointURL: String { configuration.endpoint.url }

    /// Headers that carry a digest of the body which the store verifies.
    static let bodyDigestHeaders: Set<String> = ["content-md5", "x-amz-checksum-crc32c"]

    func request(for call: StoreCall) async throws(StoreError) -> HTTPClientRequest {
        let (host, path) = configuration.address(bucket: call.location.bucket, key: call.location.key)
        var signable = SigV4.Request(method: call.method.rawValue, host: host, path: path, query: call.query, headers: call.headers)
        if let body = call.body {
            // A body whose checksum header is signed is protected by it: hashing it again with
            // SHA-256 would only cost time (S3 takes UNSIGNED-PAYLOAD for exactly this).
            let covered = call.headers.contains { Self.bodyDigestHeaders.contains($0.name) }
            signable.payloadHash = covered ? SigV4.unsignedPayload : body.withUnsafeBytes { SigV4.payloadHash($0) }
        }
        let signer = SigV4(credentials: try await credentials.current(using: http), region: configuration.region)
        var request = HTTPClientRequest(url: configuration.endpoint.url.replacingHost(with: host) + signable.target)
        request.method = call.method
        for (name, value) in signer.signedHeaders(for: signable, at: wallClock()) {
            request.headers.add(name: name, value: value)
        }
        return request
    }

    func refusal(status: Int, headers: HTTPHeaders, body: [UInt8], call: StoreCall) -> (error: StoreError, retryable: Bool) {
        let document = XMLDocument(body)
        let code = document.first("Code")
        let message = document.first("Message").map { ": " + $0 } ?? ""
        let subject = call.subject
        let bucket = call.location.bucketURL
        let retryable = RetryPolicy.isRetryable(status: status, code: code)
        let said = code.map { " (\($0)\(message))" } ?? " (HTTP \(status))"
        let error: StoreError
        switch (status, code) {
        case (_, "NoSuchBucket"?):
            error = StoreError(.noSuchBucket, bucket, "no such bucket")
        case (404, _):
            error = StoreError(.notFound, subject, "no such object" + said)
        case (_, "InvalidAccessKeyId"?), (_, "SignatureDoesNotMatch"?), (_, "ExpiredToken"?), (_, "InvalidToken"?),
            (_, "TokenRefreshRequired"?):
            error = StoreError(.credentials, subject, "the store refused the credentials" + said)
        case (_, "RequestTimeTooSkewed"?):
            error = StoreError(
                .clockSkew, subject,
                "this machine's clock is too far from the store's for a signature to be accepted; set the clock (NTP)" + said)
        case (_, "InvalidObjectState"?):
            error = StoreError(.archived, subject, "the object is in an archive storage class and must be restored first" + said)
        case (403, _):
            error = StoreError(.accessDenied, subject, "access denied" + said)
        case _ where headers.first(name: "x-amz-bucket-region").map({ $0 != configuration.region }) ?? false:
            let region = headers.first(name: "x-amz-bucket-region") ?? ""
            error = StoreError(.invalidRequest, bucket, "the bucket is in region \(region); set AWS_REGION=\(region)")
        case (412, _):
            error = StoreError(.preconditionFailed, subject, "the object exists or changed (precondition failed)")
        case (409, _):
            error = StoreError(.conflict, subject, "a concurrent write to the same key" + said)
        case (500..., _), (429, _), (_, "SlowDown"?):
            error = StoreError(.server, subject, "the store keeps failing" + said)
        default:
            error = StoreError(.invalidRequest, subject, "the store refused the request" + said)
        }
        return (error, retryable)
    }
}

extension String {
    /// This URL (`scheme://host[:port]`) with its authority replaced.
    fileprivate func replacingHost(with authority: String) -> String {
        guard let scheme = range(of: "://") else { return self }
        return String(self[..<scheme.upperBound]) + authority
    }
}
