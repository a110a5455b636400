import TensorBundle

/// Reads an entry straight from a bundle, for tests that damage specific bytes.
public enum TensorBundleProbe {
    public static func entry(prefix: String, name: String) throws -> BundleEntry {
        try Bundle(prefix: prefix).entry(forKey: Array(name.utf8))
    }
}
