import AsyncHTTPClient
import BinaryCoding
import NIOCore

/// The slowest a store may send a body: fewer than ``bytesPerSecond`` on average over a window
/// of ``seconds`` fails the attempt (which is retried, then reported), so a store that trickles
/// an answer byte by byte is given up on in bounded time. A store that goes silent altogether
/// is caught sooner by the client's read timeout.
public struct LowSpeedLimit: Sendable, Hashable {
    public var bytesPerSecond: Int
    public var seconds: Int

    public init(bytesPerSecond: Int, seconds: Int) {
        self.bytesPerSecond = bytesPerSecond
        self.seconds = seconds
    }
}

/// A body that arrived slower than the ``LowSpeedLimit``: what came in the window that failed.
struct TooSlow: Error {
    let bytes: Int
    let seconds: Double
    let limit: LowSpeedLimit

    /// The cause, for a ``StoreError`` about the object being read.
    var cause: String {
        "the store sent \(bytes) bytes in \(Int(seconds)) s, slower than \(limit.bytesPerSecond) bytes/s "
            + "(CKPT_S3_LOW_SPEED_LIMIT over CKPT_S3_LOW_SPEED_TIME=\(limit.seconds) s)"
    }
}

/// Watches one body as it arrives, window by window.
struct BodyWatch {
    let limit: LowSpeedLimit
    private var windowStart = ContinuousClock.now
    private var windowBytes = 0

    init(_ limit: LowSpeedLimit) {
        self.limit = limit
    }

    /// Counts `bytes` just received.
    ///
    /// - Throws: ``TooSlow`` when a window of ``LowSpeedLimit/seconds`` has passed with fewer
    ///   bytes than the limit asks for.
    mutating func received(_ bytes: Int) throws(TooSlow) {
        windowBytes = windowBytes.saturatingAdding(bytes)
        let elapsed = windowStart.duration(to: .now)
        guard elapsed >= .seconds(limit.seconds) else { return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if Double(windowBytes) < Double(limit.bytesPerSecond) * seconds {
            throw TooSlow(bytes: windowBytes, seconds: seconds, limit: limit)
        }
        windowStart = .now
        windowBytes = 0
    }
}

/// A body larger than a caller reads whole.
struct TooLarge: Error {}

extension HTTPClientResponse.Body {
    /// The whole body, at most `limit` bytes, arriving no slower than `speed` allows.
    func collect(upTo limit: Int, speed: LowSpeedLimit) async throws -> ByteBuffer {
        var watch = BodyWatch(speed)
        var collected = ByteBuffer()
        for try await var chunk in self {
            try watch.received(chunk.readableBytes)
            guard chunk.readableBytes <= limit - collected.readableBytes else { throw TooLarge() }
            collected.writeBuffer(&chunk)
        }
        return collected
    }
}
