/// A tensor's dimensions, outermost first (`TensorShapeProto`).
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    public var dimensions: [Int64]

    /// TensorFlow's limit on the number of dimensions.
    public static let maximumRank = 254

    public init(_ dimensions: [Int64]) {
        self.dimensions = dimensions
    }

    public var rank: Int { dimensions.count }

    /// The number of elements (1 for a scalar), or nil when a dimension is negative or the
    /// product overflows `Int64`.
    public var elementCount: Int64? {
        var product: Int64 = 1
        for dimension in dimensions {
            guard dimension >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            product = next
        }
        return product
    }

    /// Why TensorFlow would reject this shape (`Invalid tensor shape`), or nil when it is valid.
    public var invalidity: String? {
        if rank > Self.maximumRank { return "\(rank) dimensions (at most \(Self.maximumRank))" }
        if let negative = dimensions.first(where: { $0 < 0 }) { return "negative dimension \(negative)" }
        if elementCount == nil { return "element count overflows int64" }
        return nil
    }

    /// `[2, 3]`, `[]` for a scalar.
    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }

    /// Decodes a `TensorShapeProto`, noting ignored fields in `checker`.
    static func decode(_ bytes: ArraySlice<UInt8>, checker: inout FieldChecker) throws(ProtoError) -> TensorShape {
        var dimensions: [Int64] = []
        var dimensionBodies: [ArraySlice<UInt8>] = []
        try checker.decode(bytes) { checker, field in
            switch field.number {
            case 2: if let body = checker.bytes(field, "shape.dim") { dimensionBodies.append(body) }
            case 3: checker.issues.append(RecordIssue(.ignoredShapeField, "shape has unknown_rank set (ignored)"))
            default: checker.unknown(field)
            }
        }
        for body in dimensionBodies {
            var size: Int64 = 0
            try checker.decode(body) { checker, field in
                switch field.number {
                case 1: if let value = checker.varint(field, "shape.dim.size") { size = Int64(bitPattern: value) }
                case 2: checker.issues.append(RecordIssue(.ignoredShapeField, "shape dimension has a name (ignored)"))
                default: checker.unknown(field)
                }
            }
            dimensions.append(size)
        }
        return TensorShape(dimensions)
    }

    /// The canonical `TensorShapeProto` bytes (a 0-sized dimension is an empty `Dim`).
    func encoded() -> [UInt8] {
        var shape = ProtoEncoder()
        for dimension in dimensions {
            var dim = ProtoEncoder()
            dim.int(1, dimension)
            shape.bytes(2, dim.bytes)
        }
        return shape.bytes
    }
}
