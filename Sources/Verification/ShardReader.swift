/// Where the bytes of a checkpoint's data files come from when they are not on a local disk
/// (an object store): byte ranges, streamed in order.
public protocol ShardReader: Sendable {
    /// Streams bytes `range` of the data file `path` to `consume`, in order, each byte once.
    /// A failure (after whatever retries the reader makes) stops the verification: it says
    /// nothing about the checkpoint.
    func read(_ path: String, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void) async throws
}
