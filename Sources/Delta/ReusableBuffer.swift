/// A heap buffer that a worker reuses from one chunk to the next, grown when a chunk needs
/// more: no allocation (and no fresh, zero-filled pages) per chunk.
final class ReusableBuffer {
    private var storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private let alignment: Int

    /// A buffer whose start is a multiple of `alignment` bytes (a power of two).
    init(alignment: Int = 64) {
        self.alignment = alignment
    }

    deinit {
        storage.deallocate()
    }

    /// The first `count` bytes, valid until the next call; their contents are unspecified.
    func prefix(_ count: Int) -> UnsafeMutableRawBufferPointer {
        if storage.count < count {
            storage.deallocate()
            storage = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: alignment)
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[..<count])
    }
}
