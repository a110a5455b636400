import Glibc

/// A read-only memory map of a whole file, unmapped when the last reference goes away.
///
/// Bytes are lent only inside ``withUnsafeBytes(_:)``; they must not escape the closure. An
/// empty file is represented without a mapping (the kernel refuses to map zero bytes) and
/// lends an empty buffer. Files of any size the address space allows work, well past 4 GiB.
/// The mapping is immutable, so one instance may be read from many threads at once.
public final class MappedFile: Sendable {
    /// The path the file was opened by.
    public let path: String
    /// The file's length in bytes when it was mapped.
    public let count: Int
    private nonisolated(unsafe) let base: UnsafeRawPointer?

    /// Maps the regular file at `path` for reading.
    ///
    /// - Throws: ``FileError`` when the file cannot be opened, is not a regular file, or
    ///   cannot be mapped.
    public init(path: String) throws(FileError) {
        let (fd, count) = try openRegularFile(path)
        defer { close(fd) }
        var base: UnsafeRawPointer? = nil
        if count > 0 {
            let address = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0)
            guard let address, address != MAP_FAILED else {
                throw FileError(errno: errno, path: path, operation: "mmap")
            }
            base = UnsafeRawPointer(address)
        }
        self.path = path
        self.count = count
        self.base = base
    }

    /// A read-only copy of `bytes` in memory standing in for the file at `path` (an object read
    /// whole from a store), so that it is read exactly as a mapped file is.
    public init(copying bytes: UnsafeRawBufferPointer, path: String) throws(FileError) {
        var base: UnsafeRawPointer? = nil
        if !bytes.isEmpty {
            let address = mmap(nil, bytes.count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let address, address != MAP_FAILED else {
                throw FileError(errno: errno, path: path, operation: "mmap")
            }
            address.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            _ = mprotect(address, bytes.count, PROT_READ)
            base = UnsafeRawPointer(address)
        }
        self.path = path
        self.count = bytes.count
        self.base = base
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// Lends the file's bytes to `body` and returns what it returns.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Releases the pages of `range` from this process's resident set once it is done with
    /// them. The file's pages stay in the page cache and a later access maps them again, so
    /// this only bounds the resident size of a pass over a large file.
    public func evict(_ range: Range<Int>) {
        releasePages(base, count: count, range: range)
    }
}

/// `MADV_DONTNEED` on the whole pages of `range` in a mapping of `count` bytes at `base`. Only
/// pages wholly inside the range are released, so a neighbouring range that another thread
/// uses is not faulted in again.
private func releasePages(_ base: UnsafeRawPointer?, count: Int, range: Range<Int>) {
    guard let base, !range.isEmpty, range.lowerBound >= 0, range.upperBound <= count else { return }
    let start = (range.lowerBound + pageSize - 1) / pageSize * pageSize
    let end = range.upperBound == count ? count : range.upperBound / pageSize * pageSize
    guard start < end else { return }
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
}

private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

/// Opens the regular file at `path` for reading; returns its descriptor and length.
///
/// The one place the toolkit opens a file to read. The open never blocks: a FIFO, socket or
/// device where a file is expected is refused after `fstat`, before anything reads from it
/// (opening a FIFO without `O_NONBLOCK` waits for a writer forever).
func openRegularFile(_ path: String) throws(FileError) -> (descriptor: Int32, count: Int) {
    let fd = try systemCall(path) { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
    var info = stat()
    do {
        _ = try systemCall(path, "stat") { fstat(fd, &info) }
    } catch {
        close(fd)
        throw error
    }
    let type = info.st_mode & S_IFMT
    guard type == S_IFREG else {
        close(fd)
        if type == S_IFDIR { throw FileError(code: .isDirectory, path: path, cause: "is a directory") }
        throw FileError(code: .notRegular, path: path, cause: "not a regular file (\(FileKind.describe(type: type)))")
    }
    // Regular files ignore O_NONBLOCK; clear it all the same so reads behave as documented.
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return (fd, Int(info.st_size))
}
