import MappedIO

/// Why a bundle could not be opened at all (its `.index` file is missing or unreadable).
/// Everything short of that is reported as findings by ``CheckpointBundle``.
public struct BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: FileError

    public var description: String { file.description }
}
