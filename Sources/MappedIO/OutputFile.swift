import Glibc

/// A file that appears under its final name only once it is complete.
///
/// Bytes go to `<path>.tempstate<random>` in the same directory; ``commit()`` flushes them
/// to disk and renames the file into place, and an instance dropped without a commit removes
/// its temporary file. So a reader sees either no file or the whole file, never part of it.
/// After a commit (successful or not) the instance accepts no more writes.
public final class OutputFile {
    /// The final name.
    public let path: String
    /// Where the bytes are written until the commit.
    public let temporaryPath: String
    private var descriptor: Int32
    /// How many bytes were written so far.
    public private(set) var count: Int = 0

    /// Creates the temporary file for `path`. With `overwrite` false, an existing file at
    /// `path` is an error and is never touched.
    public init(path: String, overwrite: Bool = false) throws(FileError) {
        if !overwrite && FileSystem.exists(path) {
            throw FileError(code: .alreadyExists, path: path, cause: "already exists (not overwritten)")
        }
        let temporaryPath = path + ".tempstate" + String(UInt64.random(in: 0...UInt64.max))
        let fd = open(temporaryPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(errno: errno, path: temporaryPath) }
        self.path = path
        self.temporaryPath = temporaryPath
        self.descriptor = fd
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`, retrying short writes; a full disk is reported as ``FileError/Code/noSpace``.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        try writeAll(bytes, to: descriptor, at: count, path: path)
        count += bytes.count
    }

    /// Sets the file's length (the bytes written at positions later are then random-access).
    public func preallocate(_ size: Int) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        guard ftruncate(descriptor, off_t(size)) == 0 else { throw FileError(errno: errno, path: path, operation: "ftruncate") }
    }

    /// A handle that writes at positions of the (preallocated) file from any thread; bytes
    /// it writes are flushed by ``commit()``.
    public func positionalWriter() throws(FileError) -> PositionalWriter {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        let copy = dup(descriptor)
        guard copy >= 0 else { throw FileError(errno: errno, path: path, operation: "dup") }
        return PositionalWriter(descriptor: copy, path: path)
    }

    /// A handle that writes at positions of the file bypassing the page cache (O_DIRECT), or
    /// nil when the file system does not support that. Its buffers, offsets and lengths must be
    /// multiples of ``PositionalWriter/directAlignment``; a write that pads the file's end
    /// past its intended length is undone with ``preallocate(_:)``.
    public func directWriter() throws(FileError) -> PositionalWriter? {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        let fd = open(temporaryPath, O_WRONLY | directFlag | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == EINVAL { return nil }
            throw FileError(errno: errno, path: temporaryPath)
        }
        return PositionalWriter(descriptor: fd, path: path)
    }

    /// Appends the bytes of `array`.
    public func write(_ array: [UInt8]) throws(FileError) {
        try array.withUnsafeBytes { raw in Result { () throws(FileError) in try write(raw) } }.get()
    }

    /// Flushes the file to disk, renames it to ``path`` and flushes the directory, so the
    /// name survives a crash once this returns.
    ///
    /// With `overwrite` false the rename fails rather than replace a file that appeared at
    /// ``path`` in the meantime. With `durable` false nothing is flushed: for scratch files
    /// that are thrown away, where readers still see the whole file or none of it.
    public func commit(overwrite: Bool = false, durable: Bool = true) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "committed twice") }
        let fd = descriptor
        descriptor = -1
        defer { close(fd) }
        guard !durable || fsync(fd) == 0 else {
            let failure = FileError(errno: errno, path: path, operation: "fsync")
            unlink(temporaryPath)
            throw failure
        }
        if overwrite {
            if Glibc.rename(temporaryPath, path) != 0 {
                let failure = FileError(errno: errno, path: path, operation: "rename")
                unlink(temporaryPath)
                throw failure
            }
        } else {
            // link(2) fails with EEXIST instead of replacing: no window in which another
            // writer's file could be clobbered.
            if link(temporaryPath, path) != 0 {
                let failure = FileError(errno: errno, path: path, operation: "link")
                unlink(temporaryPath)
                throw failure
            }
            unlink(temporaryPath)
        }
        if durable { try FileSystem.synchronizeDirectory(Path.directory(of: path)) }
    }
}

/// Writes at positions of an ``OutputFile`` (pwrite(2)): workers fill disjoint ranges
/// concurrently, each from its own buffer, without faulting the file's pages into memory.
public final class PositionalWriter: Sendable {
    /// What the buffers, offsets and lengths of a direct writer must be multiples of (the
    /// largest logical block size of the disks this runs on).
    public static let directAlignment = 4096

    public let path: String
    private let descriptor: Int32

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    /// Writes all of `bytes` at `offset`, retrying short writes; a full disk is reported as
    /// ``FileError/Code/noSpace``.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FileError) {
        try writeAll(bytes, to: descriptor, at: offset, path: path)
    }
}

/// pwrite(2) of all of `bytes` at `offset`, retrying short and interrupted writes.
private func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, at offset: Int, path: String) throws(FileError) {
    guard var cursor = bytes.baseAddress else { return }
    var remaining = bytes.count
    var position = offset
    while remaining > 0 {
        let written = pwrite(descriptor, cursor, remaining, off_t(position))
        if written < 0 {
            if errno == EINTR { continue }
            throw FileError(errno: errno, path: path, operation: "write")
        }
        cursor += written
        remaining -= written
        position += written
    }
}

/// O_DIRECT, which Glibc's Swift module leaves out (it needs _GNU_SOURCE): Linux's value on
/// x86-64 and on AArch64.
#if arch(x86_64)
private let directFlag: Int32 = 0o40000
#else
private let directFlag: Int32 = 0o200000
#endif
