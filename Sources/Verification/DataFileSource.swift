import MappedIO

/// Where a verifier reading each local data file once gets the files' bytes: a caller that
/// wants something else of every byte (a whole-file hash) computes it in the same pass.
public protocol DataFileSource: Sendable {
    /// Streams the whole file at `path` to `consume`, in order, each byte once, in pieces valid
    /// only during the call. Called once per file, for several files at once on different
    /// threads.
    func read(_ path: String, into consume: (UnsafeRawBufferPointer) -> Void) throws(FileError)
}
