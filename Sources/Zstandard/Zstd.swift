import CZstd

/// A zstd failure: the library's own error name, or a frame that does not fit its buffer.
public struct ZstdError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// zstd reported an error while compressing.
        case compression
        /// zstd reported an error while decompressing, or the frame is malformed.
        case decompression
        /// The decompressed size differs from the size the caller expected.
        case sizeMismatch
    }

    public let code: Code
    /// zstd's error name, or the sizes involved.
    public let cause: String

    /// One readable line naming zstd and the cause.
    public var description: String { "zstd: \(cause)" }
}

/// A reusable zstd compression context (one per thread: contexts are not thread-safe).
public struct ZstdCompressor: ~Copyable {
    private let context: OpaquePointer
    /// The compression level (1...19; 3 is zstd's default).
    public let level: Int32

    public init(level: Int32 = 3) {
        guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// The largest frame that compressing `count` bytes can produce.
    public static func bound(_ count: Int) -> Int {
        ZSTD_compressBound(count)
    }

    /// Compresses `source` into one zstd frame written at the start of `destination`, which
    /// must hold at least ``bound(_:)`` bytes, and returns the frame's length.
    public mutating func compress(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) -> Int {
        let written = ZSTD_compressCCtx(
            context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
        if ZSTD_isError(written) != 0 {
            throw ZstdError(code: .compression, cause: String(cString: ZSTD_getErrorName(written)))
        }
        return written
    }

    /// Compresses `source` into one frame that refers to `prefix` (zstd's "patch from": the
    /// prefix acts as a window of earlier content). Decompressing needs the same prefix.
    public mutating func compress(
        _ source: UnsafeRawBufferPointer, prefix: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) -> Int {
        ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters)
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        if prefix.count > 0 {
            // A window large enough to reach the whole prefix.
            let windowLog = Int32(max(10, min(31, Int.bitWidth - (prefix.count + source.count).leadingZeroBitCount)))
            ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog)
            ZSTD_CCtx_refPrefix(context, prefix.baseAddress, prefix.count)
        }
        let written = ZSTD_compress2(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters)
        if ZSTD_isError(written) != 0 {
            throw ZstdError(code: .compression, cause: String(cString: ZSTD_getErrorName(written)))
        }
        return written
    }

    /// Compresses `source` into a new array holding one zstd frame.
    public mutating func compress(_ source: UnsafeRawBufferPointer) throws(ZstdError) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: Self.bound(source.count))
        let count = try frame.withUnsafeMutableBytes { out in
            Result { () throws(ZstdError) in try compress(source, into: out) }
        }.get()
        frame.removeLast(frame.count - count)
        return frame
    }
}

/// A reusable zstd decompression context (one per thread).
public struct ZstdDecompressor: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// The decompressed size a frame's header declares, or nil when it declares none or is
    /// not a zstd frame. A caller about to allocate for a size read elsewhere compares it first.
    public static func declaredSize(of frame: UnsafeRawBufferPointer) -> UInt64? {
        let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        return size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ? nil : UInt64(size)
    }

    /// Decompresses the single frame `frame` into `destination`, whose size is the exact
    /// decompressed size the caller recorded; anything else is an error.
    public mutating func decompress(
        _ frame: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) {
        let written = ZSTD_decompressDCtx(
            context, destination.baseAddress, destination.count, frame.baseAddress, frame.count)
        if ZSTD_isError(written) != 0 {
            throw ZstdError(code: .decompression, cause: String(cString: ZSTD_getErrorName(written)))
        }
        guard written == destination.count else {
            throw ZstdError(
                code: .sizeMismatch,
                cause: "frame decompressed to \(written) bytes, expected \(destination.count)")
        }
    }

    /// Decompresses a frame made with ``ZstdCompressor/compress(_:prefix:into:)`` and the same
    /// `prefix` into `destination`, whose size is the exact decompressed size.
    public mutating func decompress(
        _ frame: UnsafeRawBufferPointer, prefix: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) {
        ZSTD_DCtx_reset(context, ZSTD_reset_session_and_parameters)
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 31)
        if prefix.count > 0 { ZSTD_DCtx_refPrefix(context, prefix.baseAddress, prefix.count) }
        defer { ZSTD_DCtx_reset(context, ZSTD_reset_session_and_parameters) }
        try decompress(frame, into: destination)
    }
}
