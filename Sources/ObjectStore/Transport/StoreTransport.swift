import AsyncHTTPClient
import Glibc
import NIOCore
import NIOHTTP1

/// Sends a store's requests: each retried with backoff until its answer is not worth retrying,
/// bodies read within the low-speed limit, ranged reads resumed where they stopped. The
/// `Dialect` addresses, authorizes and reads refusals; everything else is the same for S3 and
/// Google Cloud Storage.
struct StoreTransport<Dialect: StoreDialect>: Sendable {
    let http: HTTPClient
    let dialect: Dialect
    let retry: RetryPolicy
    let lowSpeed: LowSpeedLimit

    /// Attempts at a request that never got an answer before the store is called unreachable.
    static var unreachableAttempts: Int { 3 }

    /// An HTTP client for one store: no redirects or decompression, HTTP/1.1, `connections`
    /// connections, and the connect and read timeouts in seconds.
    static func client(connections: Int, connectTimeout: Int, readTimeout: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Int64(connectTimeout)), read: .seconds(Int64(readTimeout))),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections),
            decompression: .disabled)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sends `call` once, authorized now; returns the response with its body not yet read.
    func sendOnce(_ call: StoreCall) async throws -> HTTPClientResponse {
        var request = try await dialect.request(for: call)
        if let body = call.body {
            request.body = body.requestBody
            request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        } else if call.method == .POST || call.method == .PUT {
            request.headers.replaceOrAdd(name: "content-length", value: "0")
        }
        return try await http.execute(request, timeout: .seconds(call.timeout))
    }

    /// What one attempt at a request came to.
    enum Attempt {
        /// An answer with an accepted status, its body unread.
        case answered(HTTPClientResponse)
        /// The store's refusal, or no answer at all (`unanswered`), and whether another attempt
        /// may succeed.
        case failed(StoreError, retryable: Bool, unanswered: Bool)
    }

    /// Sends `call` once: the response when its status is in `accepted`, otherwise the failure.
    ///
    /// - Throws: ``StoreError`` only when the request cannot be made (no credentials).
    func attempt(_ call: StoreCall, accepting accepted: Set<UInt>) async throws(StoreError) -> Attempt {
        do {
            let response = try await sendOnce(call)
            if accepted.contains(response.status.code) { return .answered(response) }
            let body = (try? await response.body.collect(upTo: 64 << 10, speed: lowSpeed)).map { Array(buffer: $0) } ?? []
            let (error, retryable) = dialect.refusal(status: Int(response.status.code), headers: response.headers, body: body, call: call)
            return .failed(error, retryable: retryable, unanswered: false)
        } catch let error as StoreError {
            throw error
        } catch {
            return .failed(transportFailure(error, call: call), retryable: true, unanswered: true)
        }
    }

    /// Sends `call` until it gets an answer that is not worth retrying; a status in `accepted`
    /// returns the response (body unread), anything else throws the store's error. A store that
    /// cannot be reached at all is tried at most ``unreachableAttempts`` times (the client
    /// itself keeps reconnecting until its connect timeout within each attempt). A call that is
    /// not `idempotent` (a write no precondition guards) is sent once.
    func send(
        _ call: StoreCall, accepting accepted: Set<UInt> = [200], idempotent: Bool = true
    ) async throws(StoreError) -> HTTPClientResponse {
        var attempts = 0
        var unanswered = 0
        while true {
            attempts += 1
            switch try await attempt(call, accepting: accepted) {
            case .answered(let response):
                return response
            case .failed(let error, var retryable, let silent):
                if silent {
                    unanswered += 1
                    retryable = unanswered < Self.unreachableAttempts
                }
                retryable = retryable && idempotent
                guard retryable, await retry.pause(afterAttempt: attempts) else {
                    throw retryable ? error.after(attempts) : error
                }
            }
        }
    }

    /// Sends `call` and returns its whole body, refusing more than `limit` bytes. A body that
    /// arrives slower than the low-speed limit is asked for again, at most
    /// ``unreachableAttempts`` times (an `idempotent` call only).
    func sendCollecting(
        _ call: StoreCall, accepting accepted: Set<UInt> = [200], limit: Int = 64 << 20, idempotent: Bool = true
    ) async throws(StoreError) -> (HTTPClientResponse, ByteBuffer) {
        var attempt = 0
        var slow = 0
        while true {
            attempt += 1
            let response = try await send(call, accepting: accepted, idempotent: idempotent)
            let failure: StoreError
            do {
                return (response, try await response.body.collect(upTo: limit, speed: lowSpeed))
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
            guard idempotent, await retry.pause(afterAttempt: attempt) else { throw failure.after(attempt) }
        }
    }

    /// Streams bytes `range` of the object `call` downloads (a GET that takes a `Range`) to
    /// `consume`, in order, each byte once.
    ///
    /// One ranged GET; when the connection fails mid-body the rest is asked for again, so
    /// `consume` never sees a byte twice and memory stays at a few network buffers. A body that
    /// arrives slower than the low-speed limit is asked for again at most
    /// ``unreachableAttempts`` times.
    func read(
        _ call: StoreCall, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void
    ) async throws(StoreError) {
        let total = range.upperBound - range.lowerBound
        var delivered: Int64 = 0
        var attempt = 0
        var slow = 0
        while delivered < total {
            attempt += 1
            let first = range.lowerBound + delivered
            var ranged = call
            ranged.headers.append(("range", "bytes=\(first)-\(range.upperBound - 1)"))
            let response = try await send(ranged, accepting: [206])
            let reason: String
            do {
                var watch = BodyWatch(lowSpeed)
                for try await buffer in response.body {
                    try watch.received(buffer.readableBytes)
                    let usable = min(Int64(buffer.readableBytes), total - delivered)
                    buffer.withUnsafeReadableBytes { consume(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(usable)))) }
                    delivered += usable
                }
                guard delivered < total else { return }
                reason = "the store ended the body \(total - delivered) bytes early"
            } catch let error as TooSlow {
                slow += 1
                reason = error.cause
            } catch {
                reason = transportFailure(error, call: call).cause
            }
            guard slow < Self.unreachableAttempts, await retry.pause(afterAttempt: attempt) else {
                throw StoreError(.unreachable, call.subject, "reading bytes \(first)..<\(range.upperBound) failed: \(reason)")
                    .after(attempt)
            }
        }
    }

    /// A failure to exchange bytes at all: refused, reset, timed out; the error the transport
    /// threw is kept as the cause.
    func transportFailure(_ error: any Error, call: StoreCall) -> StoreError {
        StoreError(
            .unreachable, call.subject, "the store at \(dialect.endpointURL) did not answer (\(transportReason(for: error)))",
            underlying: error)
    }
}

/// What went wrong in the transport, told by the error's type and code (its text is only shown,
/// never read), in a few words.
func transportReason(for error: any Error) -> String {
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
