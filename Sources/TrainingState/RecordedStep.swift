import TensorBundle

extension TrainingState {
    /// The training step a checkpoint records in its own state, when its name carries none
    /// (`tf.train.Checkpoint.write("dir/model")`): the first of `save_counter` (TF2), the
    /// `global_step` (TF1) and the optimizer's iteration count (Keras 3 `_iterations`, Keras 2
    /// `iter`) that is a stored, intact int64 scalar; with the key it came from.
    public static func recordedStep(in bundle: CheckpointBundle) -> (step: Int64, source: String)? {
        let candidates = [
            "save_counter/.ATTRIBUTES/VARIABLE_VALUE", "global_step", "optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE",
            "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE",
        ]
        for key in candidates {
            guard let value = try? bundle.value(forKey: Array(key.utf8)), value.dtype == .int64, value.shape.dimensions.isEmpty,
                case .fixed(let bytes) = value.contents, bytes.count == 8
            else { continue }
            let step = bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }
            return (step, key)
        }
        return nil
    }
}
