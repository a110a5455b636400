/// A tensor's decoded value.
public struct TensorValue: Sendable, Hashable {
    /// The elements, in row-major order.
    public enum Contents: Sendable, Hashable {
        /// Raw element bytes of a fixed-size dtype, in the bundle's byte order.
        case fixed([UInt8])
        /// DT_STRING elements.
        case strings([[UInt8]])
        /// DT_VARIANT elements: serialized `VariantTensorDataProto`s.
        case variants([[UInt8]])
    }

    public let dtype: DataType
    public let shape: TensorShape
    public let contents: Contents

    public init(dtype: DataType, shape: TensorShape, contents: Contents) {
        self.dtype = dtype
        self.shape = shape
        self.contents = contents
    }
}
