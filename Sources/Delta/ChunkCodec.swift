import BinaryCoding
import Glibc
import Zstandard

/// Encodes and decodes chunks of tensor bytes: optional delta against the base's bytes (XOR,
/// or wrapping subtraction with zigzag), a split into byte planes by significance, then zstd.
/// One codec per thread (it owns zstd contexts and scratch buffers).
final class ChunkCodec {
    private var compressor: ZstdCompressor
    private var decompressor = ZstdDecompressor()
    private var scratch: [UInt8] = []
    private var output: [UInt8] = []
    /// The candidate encoding being tried against the best so far.
    private var spare: [UInt8] = []

    /// When a delta encoding compresses to more than this share of the raw size, plain planes
    /// are tried too and the smaller one is kept (steps far apart must not get worse).
    static let fallbackThreshold = 0.7

    init(level: Int32) {
        compressor = ZstdCompressor(level: level)
    }

    /// Writes into `payload` (replacing its contents, reusing its capacity) the smallest
    /// encoding of `target` among the candidates that fit: against `base` when given (same
    /// length), else planes for multi-byte elements, else raw; returns the encoding.
    func encode(
        _ target: UnsafeRawBufferPointer, base: UnsafeRawBufferPointer?, elementSize: Int, into payload: inout [UInt8]
    ) throws -> ChunkEncoding {
        var best: ChunkEncoding = base != nil ? .xorPlanes : (elementSize > 1 ? .planes : .raw)
        try encode(target, base: base, elementSize: elementSize, as: best, into: &payload)
        if base != nil, Double(payload.count) > Self.fallbackThreshold * Double(target.count) {
            let alternatives: [ChunkEncoding] = elementSize > 1 ? [.subtractPlanes, .planes] : [.raw]
            for alternative in alternatives {
                try encode(target, base: base, elementSize: elementSize, as: alternative, into: &spare)
                if spare.count < payload.count {
                    swap(&payload, &spare)
                    best = alternative
                }
            }
        }
        guard payload.count >= target.count else { return best }
        payload.removeAll(keepingCapacity: true)
        payload.append(contentsOf: target)
        return .stored
    }

    /// Writes `target` with one given encoding into `payload` (replacing its contents).
    func encode(
        _ target: UnsafeRawBufferPointer, base: UnsafeRawBufferPointer?, elementSize: Int, as encoding: ChunkEncoding,
        into payload: inout [UInt8]
    ) throws {
        let count = target.count
        if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
        let width = encoding == .raw ? 1 : elementSize
        scratch.withUnsafeMutableBytes { planes in
            Self.transform(target, base: encoding.usesBase ? base : nil, encoding: encoding, width: width, into: planes)
        }
        // A plane is never stored larger than it is raw: one allocation at most, and none
        // once the buffer has grown to the chunk size.
        payload.removeAll(keepingCapacity: true)
        payload.reserveCapacity(count + 11 * (width + 1))
        try scratch.withUnsafeBytes { planes in
            Result { () throws in
                for segment in Self.segments(count: count, width: width) {
                    try appendSegment(UnsafeRawBufferPointer(rebasing: planes[segment]), to: &payload)
                }
            }
        }.get()
    }

    /// The byte ranges of the planes of `count` bytes split by `width`: one per plane, then the tail.
    static func segments(count: Int, width: Int) -> [Range<Int>] {
        let elements = count / width
        return (0..<width).map { $0 * elements..<($0 + 1) * elements } + [(elements * width)..<count]
    }

    /// Appends one plane: zstd-compressed, or stored when it is too small or looks too random
    /// for zstd to gain anything (which also saves the time zstd would spend on it).
    private func appendSegment(_ bytes: UnsafeRawBufferPointer, to payload: inout [UInt8]) throws {
        if bytes.count >= 16 && !Self.looksRandom(bytes) {
            let bound = ZstdCompressor.bound(bytes.count)
            if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
            let written = try output.withUnsafeMutableBytes { destination in
                Result { () throws(ZstdError) in try compressor.compress(bytes, into: destination) }
            }.get()
            if written < bytes.count {
                payload.append(1)
                Varint.append(UInt64(written), to: &payload)
                payload += output[..<written]
                return
            }
        }
        payload.append(0)
        Varint.append(UInt64(bytes.count), to: &payload)
        payload += bytes
    }

    /// Whether a sample of the bytes (every 16th) has nearly 8 bits of entropy per byte.
    private static func looksRandom(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var counts = (0..<256).map { _ in 0 }
        var samples = 0
        counts.withUnsafeMutableBufferPointer { histogram in
            var index = 0
            while index < bytes.count {
                histogram[Int(bytes[index])] &+= 1
                samples += 1
                index += 16
            }
        }
        guard samples >= 1024 else { return false }
        let total = Double(samples)
        let entropy = counts.reduce(0.0) { sum, count in
            guard count > 0 else { return sum }
            let p = Double(count) / total
            return sum - p * log2(p)
        }
        // A uniform sample of this size measures a little under 8 bits.
        return entropy > 7.8
    }

    /// Decodes a chunk into `destination` (its exact raw length), using `base` for delta encodings.
    func decode(
        _ payload: UnsafeRawBufferPointer, encoding: ChunkEncoding, elementSize: Int, base: UnsafeRawBufferPointer?,
        into destination: UnsafeMutableRawBufferPointer
    ) throws {
        let count = destination.count
        if encoding == .stored {
            guard payload.count == count else { throw DeltaError(.corrupt, "stored chunk of \(payload.count) bytes, expected \(count)") }
            destination.copyMemory(from: payload)
            return
        }
        if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
        let width = encoding == .raw ? 1 : elementSize
        var position = 0
        for segment in Self.segments(count: count, width: width) {
            guard position < payload.count else { throw DeltaError(.corrupt, "chunk is truncated") }
            let mode = payload[position]
            guard let (length, start) = try? Varint.decode(payload, at: position + 1, maximumValue: UInt64(payload.count)),
                Int(length) <= payload.count - start
            else { throw DeltaError(.corrupt, "chunk has a bad plane length") }
            let stored = UnsafeRawBufferPointer(rebasing: payload[start..<(start + Int(length))])
            position = start + Int(length)
            try scratch.withUnsafeMutableBytes { planes in
                Result { () throws in
                    let target = UnsafeMutableRawBufferPointer(rebasing: planes[segment])
                    switch mode {
                    case 0:
                        guard stored.count == segment.count else {
                            throw DeltaError(.corrupt, "stored plane of \(stored.count) bytes, expected \(segment.count)")
                        }
                        target.copyMemory(from: stored)
                    case 1:
                        do throws(ZstdError) {
                            try decompressor.decompress(stored, into: target)
                        } catch {
                            throw DeltaError(.corrupt, "chunk plane does not decompress: \(error)")
                        }
                    default:
                        throw DeltaError(.corrupt, "chunk plane has unknown mode \(mode)")
                    }
                }
            }.get()
        }
        guard position == payload.count else { throw DeltaError(.corrupt, "chunk has trailing bytes") }
        scratch.withUnsafeBytes { planes in
            Self.inverse(
                UnsafeRawBufferPointer(rebasing: planes[..<count]), base: encoding.usesBase ? base : nil,
                encoding: encoding, width: width, into: destination)
        }
    }

    /// target (⊕/− base) → planes. Bytes past the last whole element stay in place.
    private static func transform(
        _ target: UnsafeRawBufferPointer, base: UnsafeRawBufferPointer?, encoding: ChunkEncoding, width: Int,
        into planes: UnsafeMutableRawBufferPointer
    ) {
        switch width {
        case 2: transform(UInt16.self, target, base, encoding, planes)
        case 4: transform32(target, base, planes, subtract: encoding == .subtractPlanes)
        case 8: transform(UInt64.self, target, base, encoding, planes)
        default: transform(UInt8.self, target, base, encoding, planes)
        }
    }

    /// planes → (⊕/+ base) → target.
    private static func inverse(
        _ planes: UnsafeRawBufferPointer, base: UnsafeRawBufferPointer?, encoding: ChunkEncoding, width: Int,
        into target: UnsafeMutableRawBufferPointer
    ) {
        switch width {
        case 2: inverse(UInt16.self, planes, base, encoding, target)
        case 4: inverse32(planes, base, target, subtract: encoding == .subtractPlanes)
        case 8: inverse(UInt64.self, planes, base, encoding, target)
        default: inverse(UInt8.self, planes, base, encoding, target)
        }
    }

    @_specialize(where T == UInt16)
    @_specialize(where T == UInt64)
    private static func transform<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, _ target: UnsafeRawBufferPointer, _ base: UnsafeRawBufferPointer?, _ encoding: ChunkEncoding,
        _ planes: UnsafeMutableRawBufferPointer
    ) {
        let width = MemoryLayout<T>.size
        let elements = target.count / width
        let output = planes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for element in 0..<elements {
            var value = T(littleEndian: target.loadUnaligned(fromByteOffset: element * width, as: T.self))
            if let base {
                let reference = T(littleEndian: base.loadUnaligned(fromByteOffset: element * width, as: T.self))
                value = encoding == .xorPlanes ? value ^ reference : zigzag(value &- reference)
            }
            for byte in 0..<width {
                output[(width - 1 - byte) * elements + element] = UInt8(truncatingIfNeeded: value >> (8 * byte))
            }
        }
        for index in (elements * width)..<target.count {
            planes[index] = base.map { target[index] ^ $0[index] } ?? target[index]
        }
    }

    @_specialize(where T == UInt16)
    @_specialize(where T == UInt64)
    private static func inverse<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, _ planes: UnsafeRawBufferPointer, _ base: UnsafeRawBufferPointer?, _ encoding: ChunkEncoding,
        _ target: UnsafeMutableRawBufferPointer
    ) {
        let width = MemoryLayout<T>.size
        let elements = target.count / width
        let input = planes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let output = target.baseAddress!
        @inline(__always) func gather(_ element: Int) -> T {
            var value: T = 0
            for byte in 0..<width { value |= T(input[(width - 1 - byte) * elements + element]) << (8 * byte) }
            return value
        }
        // One loop per case, so that each is a straight line the compiler can unroll.
        switch (base, encoding) {
        case (let base?, .xorPlanes):
            let reference = base.baseAddress!
            for element in 0..<elements {
                let value = gather(element) ^ reference.loadUnaligned(fromByteOffset: element * width, as: T.self)
                output.storeBytes(of: value, toByteOffset: element * width, as: T.self)
            }
        case (let base?, _):
            let reference = base.baseAddress!
            for element in 0..<elements {
                let value =
                    unzigzag(gather(element)) &+ T(littleEndian: reference.loadUnaligned(fromByteOffset: element * width, as: T.self))
                output.storeBytes(of: value.littleEndian, toByteOffset: element * width, as: T.self)
            }
        default:
            for element in 0..<elements {
                output.storeBytes(of: gather(element).littleEndian, toByteOffset: element * width, as: T.self)
            }
        }
        for index in (elements * width)..<target.count {
            target[index] = base.map { planes[index] ^ $0[index] } ?? planes[index]
        }
    }

    /// The 4-byte case of ``transform(_:_:_:_:_:)`` (planes, XOR with the base, or zigzag of
    /// the difference with it when `subtract`), 16 elements at a time in SIMD registers: the
    /// hot loop of every float32 create.
    private static func transform32(
        _ target: UnsafeRawBufferPointer, _ base: UnsafeRawBufferPointer?, _ planes: UnsafeMutableRawBufferPointer, subtract: Bool
    ) {
        let elements = target.count / 4
        let input = target.baseAddress!
        let output = planes.baseAddress!
        let lanes = 16
        var element = 0
        while element + lanes <= elements {
            var value = input.loadUnaligned(fromByteOffset: element * 4, as: SIMD16<UInt32>.self)
            if let base {
                let reference = base.baseAddress!.loadUnaligned(fromByteOffset: element * 4, as: SIMD16<UInt32>.self)
                if subtract {
                    let difference = value &- reference
                    value = (difference &<< 1) ^ (SIMD16<UInt32>() &- (difference &>> 31))
                } else {
                    value ^= reference
                }
            }
            // Plane 0 holds the most significant bytes.
            output.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: value &>> 24), toByteOffset: element, as: SIMD16<UInt8>.self)
            output.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: value &>> 16), toByteOffset: elements + element, as: SIMD16<UInt8>.self)
            output.storeBytes(
                of: SIMD16<UInt8>(truncatingIfNeeded: value &>> 8), toByteOffset: 2 * elements + element, as: SIMD16<UInt8>.self)
            output.storeBytes(of: SIMD16<UInt8>(truncatingIfNeeded: value), toByteOffset: 3 * elements + element, as: SIMD16<UInt8>.self)
            element += lanes
        }
        // The last elements, and the tail bytes, one at a time.
        for index in element..<elements {
            var value = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
            if let base {
                let reference = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                value = subtract ? zigzag(value &- reference) : value ^ reference
            }
            for byte in 0..<4 {
                output.storeBytes(
                    of: UInt8(truncatingIfNeeded: value >> (8 * byte)), toByteOffset: (3 - byte) * elements + index, as: UInt8.self)
            }
        }
        for index in (elements * 4)..<target.count {
            planes[index] = base.map { target[index] ^ $0[index] } ?? target[index]
        }
    }

    /// The 4-byte case of ``inverse(_:_:_:_:_:)``, 16 elements at a time in SIMD registers:
    /// the hot loop of every float32 apply.
    private static func inverse32(
        _ planes: UnsafeRawBufferPointer, _ base: UnsafeRawBufferPointer?, _ target: UnsafeMutableRawBufferPointer, subtract: Bool
    ) {
        let elements = target.count / 4
        let input = planes.baseAddress!
        let output = target.baseAddress!
        let lanes = 16
        var element = 0
        while element + lanes <= elements {
            // Plane 0 holds the most significant bytes.
            let b3 = SIMD16<UInt32>(truncatingIfNeeded: input.loadUnaligned(fromByteOffset: element, as: SIMD16<UInt8>.self))
            let b2 = SIMD16<UInt32>(truncatingIfNeeded: input.loadUnaligned(fromByteOffset: elements + element, as: SIMD16<UInt8>.self))
            let b1 = SIMD16<UInt32>(truncatingIfNeeded: input.loadUnaligned(fromByteOffset: 2 * elements + element, as: SIMD16<UInt8>.self))
            let b0 = SIMD16<UInt32>(truncatingIfNeeded: input.loadUnaligned(fromByteOffset: 3 * elements + element, as: SIMD16<UInt8>.self))
            var value = b0 | (b1 &<< 8) | (b2 &<< 16) | (b3 &<< 24)
            if let base {
                let reference = base.baseAddress!.loadUnaligned(fromByteOffset: element * 4, as: SIMD16<UInt32>.self)
                if subtract {
                    value = ((value &>> 1) ^ (SIMD16<UInt32>() &- (value & 1))) &+ reference
                } else {
                    value ^= reference
                }
            }
            output.storeBytes(of: value, toByteOffset: element * 4, as: SIMD16<UInt32>.self)
            element += lanes
        }
        // The last elements, and the tail bytes, one at a time.
        for index in element..<elements {
            var value = UInt32(input.load(fromByteOffset: 3 * elements + index, as: UInt8.self))
            value |= UInt32(input.load(fromByteOffset: 2 * elements + index, as: UInt8.self)) << 8
            value |= UInt32(input.load(fromByteOffset: elements + index, as: UInt8.self)) << 16
            value |= UInt32(input.load(fromByteOffset: index, as: UInt8.self)) << 24
            if let base {
                let reference = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                value = subtract ? unzigzag(value) &+ reference : value ^ reference
            }
            output.storeBytes(of: value.littleEndian, toByteOffset: index * 4, as: UInt32.self)
        }
        for index in (elements * 4)..<target.count {
            target[index] = base.map { planes[index] ^ $0[index] } ?? planes[index]
        }
    }

    /// Maps a wrapping difference to small unsigned values: 0, -1, 1, -2 → 0, 1, 2, 3.
    @inline(__always)
    private static func zigzag<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> T {
        let sign = value >> (T.bitWidth - 1)
        return (value << 1) ^ (0 &- sign)
    }

    @inline(__always)
    private static func unzigzag<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> T {
        (value >> 1) ^ (0 &- (value & 1))
    }
}
