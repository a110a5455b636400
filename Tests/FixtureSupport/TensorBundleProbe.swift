import Checksums
import TensorBundle

/// Reads an entry straight from a bundle, for tests that damage specific bytes.
public enum TensorBundleProbe {
    public static func entry(prefix: String, name: String) throws -> BundleEntry {
        try CheckpointBundle(prefix: prefix).entry(forKey: Array(name.utf8))
    }
}

/// Masked CRC-32C values, for tests that build entries by hand.
public enum CRC32CProbe {
    public static func masked(_ bytes: [UInt8]) -> UInt32 {
        CRC32C.mask(CRC32C.checksum(bytes))
    }
}
