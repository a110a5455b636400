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
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
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
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(descriptor, cursor, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(errno: errno, path: path, operation: "write")
            }
            cursor += written
            remaining -= written
            count += written
        }
    }

    /// Appends the bytes of `array`.
    public func write(_ array: [UInt8]) throws(FileError) {
        try array.withUnsafeBytes { raw in Result { () throws(FileError) in try write(raw) } }.get()
    }

    /// Flushes the file to disk and renames it to ``path``.
    ///
    /// With `overwrite` false the rename fails rather than replace a file that appeared at
    /// ``path`` in the meantime.
    public func commit(overwrite: Bool = false) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "committed twice") }
        let fd = descriptor
        descriptor = -1
        defer { close(fd) }
        guard fsync(fd) == 0 else {
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
    }
}
