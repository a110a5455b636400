import BinaryCoding

/// Decompression of raw Snappy blocks (no framing), which old TensorFlow merges wrote into
/// checkpoint indexes.
enum Snappy {
    /// Why a Snappy block could not be decompressed.
    struct Failure: Error {
        let reason: String
    }

    /// The most a Snappy element can expand: a 3-byte copy yields at most 64 bytes.
    private static let maximumExpansion = 22

    /// Decompresses `input`, checking every length and offset before it is used.
    static func decompress(_ input: UnsafeRawBufferPointer) throws(Failure) -> [UInt8] {
        let declared: UInt64
        var position: Int
        do {
            (declared, position) = try Varint.decode(input, at: 0, maximumBytes: 5, maximumValue: UInt64(UInt32.max))
        } catch {
            throw Failure(reason: "bad length preamble")
        }
        guard declared <= UInt64(input.count) * UInt64(maximumExpansion) else {
            throw Failure(reason: "declared length \(declared) is impossible for \(input.count) compressed bytes")
        }
        let length = Int(declared)
        var output: [UInt8] = []
        output.reserveCapacity(length)
        while position < input.count {
            let tag = input[position]
            position += 1
            switch tag & 3 {
            case 0:
                var literal = Int(tag >> 2) + 1
                if literal > 60 {
                    let extra = literal - 60
                    guard position + extra <= input.count else { throw Failure(reason: "truncated literal length") }
                    literal = 0
                    for i in 0..<extra { literal |= Int(input[position + i]) << (8 * i) }
                    literal += 1
                    position += extra
                }
                guard literal <= input.count - position else { throw Failure(reason: "literal runs past the input") }
                guard literal <= length - output.count else { throw Failure(reason: "output longer than declared") }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[position..<position + literal]))
                position += literal
            default:
                let (copyLength, distance) = try copyOperands(tag: tag, input, &position)
                guard distance > 0 && distance <= output.count else { throw Failure(reason: "copy offset \(distance) out of range") }
                guard copyLength <= length - output.count else { throw Failure(reason: "output longer than declared") }
                let start = output.count - distance
                for i in 0..<copyLength { output.append(output[start + i]) }
            }
        }
        guard output.count == length else {
            throw Failure(reason: "decompressed \(output.count) bytes, declared \(length)")
        }
        return output
    }

    private static func copyOperands(
        tag: UInt8, _ input: UnsafeRawBufferPointer, _ position: inout Int
    ) throws(Failure) -> (length: Int, distance: Int) {
        switch tag & 3 {
        case 1:
            guard position < input.count else { throw Failure(reason: "truncated copy") }
            let distance = Int(tag >> 5) << 8 | Int(input[position])
            position += 1
            return (Int((tag >> 2) & 7) + 4, distance)
        case 2:
            guard position + 2 <= input.count else { throw Failure(reason: "truncated copy") }
            let distance = Int(input[position]) | Int(input[position + 1]) << 8
            position += 2
            return (Int(tag >> 2) + 1, distance)
        default:
            guard position + 4 <= input.count else { throw Failure(reason: "truncated copy") }
            let distance = Int(input.loadUInt32LE(at: position))
            position += 4
            return (Int(tag >> 2) + 1, distance)
        }
    }
}
