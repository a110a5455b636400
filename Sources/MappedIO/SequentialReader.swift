import Glibc

/// Reads a whole file front to back in pieces through one reused buffer (read(2)): for
/// single passes such as hashing, where a memory map would cost a page fault per few pages
/// and an madvise per piece to keep the resident set small.
public enum SequentialReader {
    /// Calls `body` with consecutive pieces of the file at `path` (each at most `pieceSize`
    /// bytes, only valid during the call) and returns the file's length.
    @discardableResult
    public static func forEachPiece(
        of path: String, pieceSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(FileError) -> Int {
        let (fd, _) = try openRegularFile(path)
        defer { close(fd) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 4096)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let count = try systemCall(path, "read") { read(fd, buffer.baseAddress, pieceSize) }
            if count == 0 { return total }
            body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            total += count
        }
    }
}
