/// A heap buffer that a worker reuses from one chunk to the next, grown when a chunk needs
/// more: no allocation (and no fresh, zero-filled pages) per chunk.
final class ReusableBuffer {
    private var storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    deinit {
        storage.deallocate()
    }

    /// Lends the first `count` bytes (their contents unspecified) to `body`; they must not
    /// escape it.
    func withPrefix<Result, Failure: Error>(
        _ count: Int, _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if storage.count < count {
            storage.deallocate()
            storage = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
        }
        return try body(UnsafeMutableRawBufferPointer(rebasing: storage[..<count]))
    }
}
