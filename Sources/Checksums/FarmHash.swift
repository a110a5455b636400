import CFarmHash

/// FarmHash, the hash family TensorFlow fingerprints SavedModels with.
public enum FarmHash {
    /// Fingerprint64 of `bytes` (as `tf.fingerprint(…, method="farmhash64")` computes it, read
    /// as a little-endian 64-bit integer): `fingerprint.pb`'s `checkpoint_hash` of a SavedModel's
    /// variables index.
    public static func fingerprint64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        ckpt_farmhash_fingerprint64(bytes.baseAddress, bytes.count)
    }
}
