/// The index record of one tensor or slice (`BundleEntryProto`).
///
/// For a partitioned tensor's full-tensor record ``slices`` is non-empty and the location
/// fields are meaningless; every other record locates its bytes with ``shardID``,
/// ``offset``, ``size`` and the masked ``crc32c``.
public struct BundleEntry: Sendable, Hashable {
    public var dtype: DataType
    public var shape: TensorShape
    public var shardID: Int64
    public var offset: Int64
    public var size: Int64
    /// The masked CRC-32C of the tensor's bytes, as stored (an absent field reads as 0).
    public var crc32c: UInt32
    public var slices: [TensorSlice]
    /// Oddities in the record.
    public var issues: [RecordIssue] = []

    public init(
        dtype: DataType, shape: TensorShape, shardID: Int64 = 0, offset: Int64 = 0, size: Int64 = 0,
        crc32c: UInt32 = 0, slices: [TensorSlice] = []
    ) {
        self.dtype = dtype
        self.shape = shape
        self.shardID = shardID
        self.offset = offset
        self.size = size
        self.crc32c = crc32c
        self.slices = slices
    }

    /// Whether this is the full-tensor record of a partitioned tensor (it owns no bytes).
    public var isPartitioned: Bool { !slices.isEmpty }

    /// Decodes a serialized `BundleEntryProto`.
    public static func decode(_ bytes: [UInt8]) throws(ProtoError) -> BundleEntry {
        var entry = BundleEntry(dtype: .invalid, shape: TensorShape([]))
        var checker = FieldChecker(message: "entry")
        var shapeBody: ArraySlice<UInt8>? = nil
        var sliceBodies: [ArraySlice<UInt8>] = []
        try checker.decode(bytes[...]) { checker, field in
            switch field.number {
            case 1: if let value = checker.varint(field, "dtype") { entry.dtype = DataType(rawValue: Int32(truncatingIfNeeded: value)) }
            case 2: if let body = checker.bytes(field, "shape") { shapeBody = body }
            case 3: if let value = checker.varint(field, "shard_id") { entry.shardID = Int64(int32Field: value) }
            case 4: if let value = checker.varint(field, "offset") { entry.offset = Int64(bitPattern: value) }
            case 5: if let value = checker.varint(field, "size") { entry.size = Int64(bitPattern: value) }
            case 6:
                if case .fixed32(let value) = field.payload { entry.crc32c = value } else { checker.wrongType(field, "crc32c") }
            case 7: if let body = checker.bytes(field, "slices") { sliceBodies.append(body) }
            default: checker.unknown(field)
            }
        }
        if let shapeBody { entry.shape = try TensorShape.decode(shapeBody, checker: &checker) }
        for body in sliceBodies { entry.slices.append(try TensorSlice.decode(body, checker: &checker)) }
        entry.issues = checker.issues
        return entry
    }

    /// The canonical serialization TensorFlow emits: fields in number order, zero
    /// `shard_id`/`offset`/`size` omitted, the shape always present, `crc32c` present on data
    /// records. A full-tensor record holds dtype, shape and slices, plus the `shard_id` that
    /// TensorFlow's merge step gives it (the shard of the bundle that first held it).
    public func encoded() -> [UInt8] {
        var proto = ProtoEncoder()
        proto.int(1, Int64(dtype.rawValue))
        proto.bytes(2, shape.encoded())
        proto.int(3, shardID)
        if isPartitioned {
            for slice in slices { proto.bytes(7, slice.encoded()) }
        } else {
            proto.int(4, offset)
            proto.int(5, size)
            proto.fixed32(6, crc32c)
        }
        return proto.bytes
    }
}
