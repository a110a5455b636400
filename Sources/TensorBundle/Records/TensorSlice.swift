/// The part of a partitioned tensor one slice record holds (`TensorSliceProto`).
public struct TensorSlice: Sendable, Hashable, CustomStringConvertible {
    /// One dimension of a slice: where it starts and how long it is; a nil length means
    /// "the whole dimension" (an extent with no `length` field).
    public struct Extent: Sendable, Hashable {
        public var start: Int64
        public var length: Int64?

        public init(start: Int64, length: Int64?) {
            self.start = start
            self.length = length
        }
    }

    public var extents: [Extent]

    public init(_ extents: [Extent]) {
        self.extents = extents
    }

    /// TensorFlow's text form: `0,2:-` (start,length per dimension; `-` for a whole dimension).
    public var description: String {
        extents.map { extent in extent.length.map { "\(extent.start),\($0)" } ?? "-" }.joined(separator: ":")
    }

    /// The concrete ranges this slice covers in a tensor of `shape`, or why it does not fit.
    public func ranges(in shape: TensorShape) -> Result<[Range<Int64>], SliceError> {
        guard extents.count == shape.rank else {
            return .failure(SliceError("slice \(self) has \(extents.count) extents for a rank-\(shape.rank) tensor"))
        }
        var ranges: [Range<Int64>] = []
        for (extent, dimension) in zip(extents, shape.dimensions) {
            guard let length = extent.length else {
                guard extent.start == 0 else {
                    return .failure(SliceError("slice \(self) starts a whole-dimension extent at \(extent.start)"))
                }
                ranges.append(0..<dimension)
                continue
            }
            let (end, overflow) = extent.start.addingReportingOverflow(length)
            guard extent.start >= 0, length > 0, !overflow, end <= dimension else {
                return .failure(SliceError("slice \(self) does not fit shape \(shape)"))
            }
            ranges.append(extent.start..<end)
        }
        return .success(ranges)
    }

    /// Decodes a `TensorSliceProto`.
    static func decode(_ bytes: ArraySlice<UInt8>, checker: inout FieldChecker) throws(ProtoError) -> TensorSlice {
        var bodies: [ArraySlice<UInt8>] = []
        try checker.decode(bytes) { checker, field in
            if field.number == 1 {
                if let body = checker.bytes(field, "slice.extent") { bodies.append(body) }
            } else {
                checker.unknown(field)
            }
        }
        var extents: [Extent] = []
        for body in bodies {
            var extent = Extent(start: 0, length: nil)
            try checker.decode(body) { checker, field in
                switch field.number {
                case 1: if let value = checker.varint(field, "extent.start") { extent.start = Int64(bitPattern: value) }
                case 2: if let value = checker.varint(field, "extent.length") { extent.length = Int64(bitPattern: value) }
                default: checker.unknown(field)
                }
            }
            extents.append(extent)
        }
        return TensorSlice(extents)
    }

    /// The canonical `TensorSliceProto` bytes (a present length is written even when 0).
    func encoded() -> [UInt8] {
        var slice = ProtoEncoder()
        for extent in extents {
            var body = ProtoEncoder()
            body.int(1, extent.start)
            if let length = extent.length { body.int(2, length, always: true) }
            slice.bytes(1, body.bytes)
        }
        return slice.bytes
    }
}

/// A slice that does not fit its tensor, or slices that do not fit together.
public struct SliceError: Error, Sendable, Hashable, CustomStringConvertible {
    public let cause: String

    init(_ cause: String) {
        self.cause = cause
    }

    public var description: String { cause }
}
