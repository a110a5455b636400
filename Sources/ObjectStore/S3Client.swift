import AsyncHTTPClient
import Glibc
import NIOCore
import NIOHTTP1

/// A client of one S3-compatible store: signed requests, retried with backoff, many in flight.
///
/// Every operation throws ``StoreError`` with one readable line. Retryable failures (5xx,
/// `SlowDown`, timeouts, reset connections) are retried up to the configured attempts; a read
/// interrupted mid-body resumes where it stopped. Call ``shutdown()`` when done.
public final class S3Client: Sendable {
    public let configuration: StoreConfiguration
    let http: HTTPClient
    private let credentials: CredentialChain
    let retry: RetryPolicy

    /// A client configured from `environment` (see ``StoreConfiguration/fromEnvironment(_:)``).
    public convenience init(environment: [String: String] = StoreConfiguration.processEnvironment) throws {
        let configuration = try StoreConfiguration.fromEnvironment(environment)
        self.init(configuration: configuration, environment: environment)
    }

    public init(configuration: StoreConfiguration, environment: [String: String]) {
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .seconds(Int64(configuration.connectTimeout)), read: .seconds(Int64(configuration.readTimeout))),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connections),
            decompression: .disabled)
        http.httpVersion = .http1Only
        self.configuration = configuration
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
        self.credentials = CredentialChain(environment: environment, configuration: configuration)
        self.retry = RetryPolicy(maxAttempts: configuration.maxAttempts)
    }

    /// Closes every connection. Call once, when no operation is running.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Requests

    /// One S3 request, described before it is signed.
    struct Call {
        var method: HTTPMethod
        var bucket: String
        var key: String = ""
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body: Payload? = nil
        /// Seconds the whole exchange may take (the read timeout catches stalls sooner).
        var timeout: Int64 = 300
        /// What the request is about, when that is not its key (a listing's prefix).
        var about: String? = nil

        var subject: String { about ?? ObjectLocation(bucket: bucket, key: key).description }
    }

    /// Sends `call` once, signed now; returns the response with its body not yet read.
    func sendOnce(_ call: Call) async throws -> HTTPClientResponse {
        let (host, path) = configuration.address(bucket: call.bucket, key: call.key)
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
        if let body = call.body {
            request.body = body.requestBody
            request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        }
        return try await http.execute(request, timeout: .seconds(call.timeout))
    }

    /// Sends `call` until it gets an answer that is not worth retrying; a status in `accepted`
    /// returns the response (body unread), anything else throws the store's error. A store that
    /// cannot be reached at all is tried at most ``unreachableAttempts`` times (the client
    /// itself keeps reconnecting until its connect timeout within each attempt).
    func send(_ call: Call, accepting accepted: Set<UInt> = [200]) async throws(StoreError) -> HTTPClientResponse {
        var attempt = 0
        var unanswered = 0
        while true {
            attempt += 1
            let refusal: StoreError
            let retryable: Bool
            do {
                let response = try await sendOnce(call)
                if accepted.contains(response.status.code) { return response }
                (refusal, retryable) = await failure(of: response, call: call)
            } catch let error as StoreError {
                throw error
            } catch {
                unanswered += 1
                (refusal, retryable) = (transportFailure(error, call: call), unanswered < Self.unreachableAttempts)
            }
            guard retryable, await retry.pause(afterAttempt: attempt) else {
                throw retryable ? refusal.after(attempt) : refusal
            }
        }
    }

    /// Sends `call` and returns its whole body, refusing more than `limit` bytes. A body that
    /// arrives slower than the low-speed limit is asked for again, at most
    /// ``unreachableAttempts`` times.
    func sendCollecting(
        _ call: Call, accepting accepted: Set<UInt> = [200], limit: Int = 64 << 20
    ) async throws(StoreError) -> (HTTPClientResponse, ByteBuffer) {
        var attempt = 0
        var slow = 0
        while true {
            attempt += 1
            let response = try await send(call, accepting: accepted)
            let failure: StoreError
            do {
                return (response, try await response.body.collect(upTo: limit, speed: configuration.lowSpeed))
            } catch is TooLarge {
                throw StoreError(
                    .malformedResponse, call.subject, "the object or answer is larger than \(limit) bytes, the most this tool reads whole")
            } catch let error as TooSlow {
                slow += 1
                failure = StoreError(.unreachable, call.subject, error.cause)
                guard slow < Self.unreachableAttempts else { throw failure.after(attempt) }
            } catch {
                failure = transportFailure(error, call: call)
            }
            guard await retry.pause(afterAttempt: attempt) else { throw failure.after(attempt) }
        }
    }

    /// Headers that carry a digest of the body which the store verifies.
    static let bodyDigestHeaders: Set<String> = ["content-md5", "x-amz-checksum-crc32c"]

    /// Attempts at a request that never got an answer before the store is called unreachable.
    static let unreachableAttempts = 3

    // MARK: Failures

    /// The store's error for a response it refused, and whether another attempt may succeed.
    func failure(of response: HTTPClientResponse, call: Call) async -> (StoreError, Bool) {
        let status = Int(response.status.code)
        let body = (try? await response.body.collect(upTo: 64 << 10, speed: configuration.lowSpeed)).map { Array(buffer: $0) } ?? []
        let document = XMLDocument(body)
        let code = document.first("Code")
        let message = document.first("Message").map { ": " + $0 } ?? ""
        let subject = call.subject
        let retryable = RetryPolicy.isRetryable(status: status, code: code)
        let said = code.map { " (\($0)\(message))" } ?? " (HTTP \(status))"
        let error: StoreError
        switch (status, code) {
        case (_, "NoSuchBucket"?):
            error = StoreError(.noSuchBucket, "s3://\(call.bucket)", "no such bucket")
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
        case _ where response.headers.first(name: "x-amz-bucket-region").map({ $0 != configuration.region }) ?? false:
            let region = response.headers.first(name: "x-amz-bucket-region") ?? ""
            error = StoreError(.invalidRequest, "s3://\(call.bucket)", "the bucket is in region \(region); set AWS_REGION=\(region)")
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

    /// A failure to exchange bytes at all: refused, reset, timed out; the error the transport
    /// threw is kept as the cause.
    func transportFailure(_ error: any Error, call: Call) -> StoreError {
        StoreError(
            .unreachable, call.subject, "the store at \(configuration.endpoint.url) did not answer (\(Self.reason(for: error)))",
            underlying: error)
    }

    /// What went wrong in the transport, told by the error's type and code (its text is only
    /// shown, never read), in a few words.
    static func reason(for error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connecting timed out"
            case .readTimeout, .deadlineExceeded: return "no answer in time"
            case .remoteConnectionClosed: return "the connection was closed"
            default: break
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return "connecting timed out"
            case .eof, .ioOnClosedChannel, .alreadyClosed: return "the connection was closed"
            default: break
            }
        }
        switch (error as? IOError)?.errnoCode {
        case ECONNREFUSED?: return "connection refused"
        case ECONNRESET?, EPIPE?: return "the connection was closed"
        case ETIMEDOUT?: return "no answer in time"
        case EHOSTUNREACH?, ENETUNREACH?: return "no route to the host"
        default: return String(String(describing: error).prefix(160))
        }
    }
}

extension String {
    /// This URL (`scheme://host[:port]`) with its authority replaced.
    fileprivate func replacingHost(with authority: String) -> String {
        guard let scheme = range(of: "://") else { return self }
        return String(self[..<scheme.upperBound]) + authority
    }
}
