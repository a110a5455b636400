/// The toolkit's version, printed by `--version`.
public enum ToolVersion {
    /// The package version.
    public static let package = "0.1.0"

    /// What `--version` prints: the package version, followed by the git commit the tools were
    /// built from (`-dirty` when the checkout had uncommitted changes) when they were built in
    /// a git checkout of this package.
    public static let current = BuildCommit.id.map { "\(package) (\($0))" } ?? package
}
