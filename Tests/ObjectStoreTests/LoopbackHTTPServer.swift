import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 (an ephemeral port) that answers each request with what
/// `respond` returns and records every request, for clients that talk to small services (token
/// endpoints, metadata servers).
final class LoopbackHTTPServer: Sendable {
    struct Request: Sendable {
        let method: HTTPMethod
        let path: String
        let headers: HTTPHeaders
        let body: [UInt8]

        /// The body as `application/x-www-form-urlencoded` fields.
        var form: [String: String] {
            var fields: [String: String] = [:]
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding() }
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            return fields
        }
    }

    struct Response: Sendable {
        var status: HTTPResponseStatus = .ok
        var headers: [(String, String)] = []
        var body: String = ""
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let log = RequestLog()
    /// `http://127.0.0.1:PORT`.
    let url: String

    init(respond: @escaping @Sendable (Request) -> Response) async throws {
        let log = self.log
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(
                        Handler { request in
                            log.requests.withLock { $0.append(request) }
                            return respond(request)
                        })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        url = "http://127.0.0.1:\(channel.localAddress!.port!)"
    }

    /// The requests answered so far, in order.
    var requests: [Request] { log.requests.withLock { $0 } }

    private final class RequestLog: Sendable {
        let requests = Mutex<[Request]>([])
    }

    func shutdown() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let respond: @Sendable (Request) -> Response
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(_ respond: @escaping @Sendable (Request) -> Response) { self.respond = respond }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let buffer):
                body += Array(buffer: buffer)
            case .end:
                guard let head else { return }
                let response = respond(Request(method: head.method, path: head.uri, headers: head.headers, body: body))
                var headers = HTTPHeaders(response.headers)
                headers.add(name: "Content-Length", value: String(response.body.utf8.count))
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil
                )
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

extension String {
    /// `+` as a space and `%XX` as its byte, as form fields are encoded.
    fileprivate func removingPercentEncoding() -> String {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
