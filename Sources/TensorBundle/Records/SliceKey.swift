/// The key of a slice record: TensorFlow's "OrderedCode" encoding of a tensor name and a
/// slice, which sorts every slice record before ordinary names (it starts with byte 0).
public enum SliceKey {
    /// The key of the record holding `slice` of tensor `name`.
    public static func encode(name: [UInt8], slice: TensorSlice) -> [UInt8] {
        var key: [UInt8] = []
        appendNumber(0, to: &key)
        for byte in name {
            switch byte {
            case 0x00: key += [0x00, 0xFF]
            case 0xFF: key += [0xFF, 0x00]
            default: key.append(byte)
            }
        }
        key += [0x00, 0x01]
        appendNumber(UInt64(slice.extents.count), to: &key)
        for extent in slice.extents {
            appendSigned(extent.start, to: &key)
            appendSigned(extent.length ?? -1, to: &key)
        }
        return key
    }

    /// The tensor name and slice encoded in `key`, or nil when `key` is not a well-formed
    /// slice key. A decoded length of -1 is a whole-dimension extent.
    public static func decode(_ key: [UInt8]) -> (name: [UInt8], slice: TensorSlice)? {
        var position = 0
        guard readNumber(key, &position) == 0 else { return nil }
        var name: [UInt8] = []
        while true {
            guard position + 1 < key.count else { return nil }
            let byte = key[position]
            let next = key[position + 1]
            switch (byte, next) {
            case (0x00, 0x01): position += 2
            case (0x00, 0xFF): name.append(0x00); position += 2; continue
            case (0xFF, 0x00): name.append(0xFF); position += 2; continue
            case (0x00, _), (0xFF, _): return nil
            default: name.append(byte); position += 1; continue
            }
            break
        }
        guard let rank = readNumber(key, &position), rank >= 1, rank <= UInt64(TensorShape.maximumRank) else { return nil }
        var extents: [TensorSlice.Extent] = []
        for _ in 0..<rank {
            guard let start = readSigned(key, &position), let length = readSigned(key, &position) else { return nil }
            extents.append(TensorSlice.Extent(start: start, length: length == -1 ? nil : length))
        }
        guard position == key.count else { return nil }
        return (name, TensorSlice(extents))
    }

    // MARK: - OrderedCode numbers

    /// `num_increasing`: a length byte, then the value's significant bytes big-endian.
    static func appendNumber(_ value: UInt64, to key: inout [UInt8]) {
        let length = (64 - value.leadingZeroBitCount + 7) / 8
        key.append(UInt8(length))
        for index in stride(from: length - 1, through: 0, by: -1) {
            key.append(UInt8(truncatingIfNeeded: value >> (8 * index)))
        }
    }

    static func readNumber(_ key: [UInt8], _ position: inout Int) -> UInt64? {
        guard position < key.count else { return nil }
        let length = Int(key[position])
        guard length <= 8, position + 1 + length <= key.count else { return nil }
        var value: UInt64 = 0
        for index in 0..<length { value = value << 8 | UInt64(key[position + 1 + index]) }
        position += 1 + length
        return value
    }

    /// Header bits of `signed_increasing` for each encoded length 1...10 (first byte, second byte).
    private static let headers: [(UInt8, UInt8)] = [
        (0x80, 0), (0xC0, 0), (0xE0, 0), (0xF0, 0), (0xF8, 0), (0xFC, 0), (0xFE, 0), (0xFF, 0), (0xFF, 0x80), (0xFF, 0xC0),
    ]

    /// The encoded length of `signed_increasing(value)`.
    private static func signedLength(_ value: Int64) -> Int {
        let magnitude = UInt64(bitPattern: value < 0 ? ~value : value)
        let bits = 64 - magnitude.leadingZeroBitCount  // significant bits, sign excluded
        // n bytes hold 7n - 1 value bits (n ≤ 8); 9 and 10 bytes hold 62 and 63+.
        switch bits {
        case ..<7: return 1
        case ..<14: return 2
        case ..<21: return 3
        case ..<28: return 4
        case ..<35: return 5
        case ..<42: return 6
        case ..<49: return 7
        case ..<56: return 8
        case ..<63: return 9
        default: return 10
        }
    }

    /// `signed_increasing`: the low n bytes of the (80-bit sign-extended) value, big-endian,
    /// with the length's header bits XOR-ed into the first one or two bytes.
    static func appendSigned(_ value: Int64, to key: inout [UInt8]) {
        let length = signedLength(value)
        let sign: UInt8 = value < 0 ? 0xFF : 0x00
        var bytes = [UInt8](repeating: sign, count: 10)
        for index in 0..<8 { bytes[9 - index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        var encoded = Array(bytes[(10 - length)...])
        let (first, second) = headers[length - 1]
        encoded[0] ^= first
        if length > 1 { encoded[1] ^= second }
        key += encoded
    }

    static func readSigned(_ key: [UInt8], _ position: inout Int) -> Int64? {
        guard position < key.count else { return nil }
        let first = key[position]
        let negative = first & 0x80 == 0
        let lead = negative ? ~first : first
        // The number of leading one bits of the (sign-normalized) first byte gives the length.
        var length = lead.leadingZeroBitCount == 0 ? (~lead).leadingZeroBitCount : 0
        if length == 8 {
            guard position + 1 < key.count else { return nil }
            let second = negative ? ~key[position + 1] : key[position + 1]
            length += (~second).leadingZeroBitCount
        }
        guard length >= 1, length <= 10, position + length <= key.count else { return nil }
        var bytes = Array(key[position..<position + length])
        let (firstHeader, secondHeader) = headers[length - 1]
        bytes[0] ^= firstHeader
        if length > 1 { bytes[1] ^= secondHeader }
        var value: Int64 = negative ? -1 : 0
        for byte in bytes.suffix(min(length, 8)) { value = value << 8 | Int64(byte) }
        position += length
        var check: [UInt8] = []
        appendSigned(value, to: &check)
        guard check == Array(key[(position - length)..<position]) else { return nil }
        return value
    }
}
