import AsyncHTTPClient
import MappedIO
import NIOCore

/// A request body: bytes in memory, or a range of a mapped file, which the HTTP client copies
/// into its own buffers a few MiB at a time as it sends (so a part in flight costs no copy of
/// its own, and a retry sends the same bytes again).
enum Payload: Sendable {
    case buffer(ByteBuffer)
    case mapped(MappedRange)

    var count: Int {
        switch self {
        case .buffer(let buffer): buffer.readableBytes
        case .mapped(let range): range.count
        }
    }

    /// Lends the body's bytes to `body`.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .buffer(let buffer): buffer.withUnsafeReadableBytes(body)
        case .mapped(let range): range.file.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range.range])) }
        }
    }

    var requestBody: HTTPClientRequest.Body {
        switch self {
        case .buffer(let buffer): .bytes(buffer)
        case .mapped(let range): .bytes(range)
        }
    }
}

/// A byte range of a mapped file as a collection, read in place.
struct MappedRange: RandomAccessCollection, Sendable {
    let file: MappedFile
    let range: Range<Int>

    var startIndex: Int { 0 }
    var endIndex: Int { range.count }

    subscript(position: Int) -> UInt8 {
        file.withUnsafeBytes { $0[range.lowerBound + position] }
    }

    func withContiguousStorageIfAvailable<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result? {
        try file.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[range]).assumingMemoryBound(to: UInt8.self))
        }
    }
}
