import CXXHash

/// A 128-bit XXH3 digest, the strong file hash of delta archives.
public struct XXH128Digest: Sendable, Hashable, CustomStringConvertible {
    /// The high 64 bits.
    public let high: UInt64
    /// The low 64 bits.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads the canonical form: 32 hex digits, high half first; nil for anything else.
    public init?(hex text: String) {
        guard text.utf8.count == 32, let high = UInt64(text.prefix(16), radix: 16), let low = UInt64(text.suffix(16), radix: 16) else {
            return nil
        }
        self.init(high: high, low: low)
    }

    /// The canonical form: 32 lowercase hex digits, high half first (as `xxhsum -H2` prints it).
    public var description: String {
        hex(high) + hex(low)
    }

    private func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// XXH3 hashes, through the run-time dispatching entry points of Debian's libxxhash, which
/// select the AVX2 or AVX-512 kernel when the CPU has one.
public enum XXH3 {
    /// The 64-bit XXH3 of `bytes` (seed 0).
    public static func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        #if arch(x86_64)
        XXH3_64bits_dispatch(bytes.baseAddress, bytes.count)
        #else
        XXH3_64bits(bytes.baseAddress, bytes.count)
        #endif
    }

    /// The 128-bit XXH3 of `bytes` (seed 0).
    public static func hash128(_ bytes: UnsafeRawBufferPointer) -> XXH128Digest {
        #if arch(x86_64)
        let digest = XXH3_128bits_dispatch(bytes.baseAddress, bytes.count)
        #else
        let digest = XXH3_128bits(bytes.baseAddress, bytes.count)
        #endif
        return XXH128Digest(high: digest.high64, low: digest.low64)
    }
}

/// A streaming XXH3-128: the same digest as ``XXH3/hash128(_:)`` over the concatenation of
/// every `update`, for inputs that are read piece by piece.
public struct XXH3Hasher128: ~Copyable {
    private let state: OpaquePointer

    /// Starts an empty hash (seed 0).
    public init() {
        guard let state = XXH3_createState() else {
            fatalError("XXH3_createState: out of memory")
        }
        XXH3_128bits_reset(state)
        self.state = state
    }

    deinit {
        XXH3_freeState(state)
    }

    /// Feeds `bytes` into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        #if arch(x86_64)
        _ = XXH3_128bits_update_dispatch(state, bytes.baseAddress, bytes.count)
        #else
        _ = XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
        #endif
    }

    /// The digest of everything fed so far; the hasher can go on being fed.
    public func finalize() -> XXH128Digest {
        let digest = XXH3_128bits_digest(state)
        return XXH128Digest(high: digest.high64, low: digest.low64)
    }
}
