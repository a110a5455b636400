import AsyncHTTPClient
import NIOHTTP1

/// What one store's protocol says that another's does not: how a request is addressed and
/// authorized, and what a refusal means. ``StoreTransport`` does the rest (sending, retrying,
/// streaming) the same way for every store.
protocol StoreDialect: Sendable {
    /// The endpoint requests go to (`https://storage.googleapis.com`), for errors.
    var endpointURL: String { get }

    /// The request for `call`, addressed and authorized now, without its body (the transport
    /// attaches it).
    ///
    /// - Throws: ``StoreError`` when no credentials can be had.
    func request(for call: StoreCall) async throws(StoreError) -> HTTPClientRequest

    /// The error for an answer with a status `call` does not accept, and whether another
    /// attempt may succeed; `body` is at most the first 64 KiB of the answer.
    func refusal(status: Int, headers: HTTPHeaders, body: [UInt8], call: StoreCall) -> (error: StoreError, retryable: Bool)
}
