import Glibc
import Parallelism

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
    /// Appended bytes not yet written, when appends go through O_DIRECT.
    private var staging: DirectStaging?

    /// What the commit may replace at ``path``.
    public let replacing: Replacement

    /// Creates the temporary file for `path`, after checking with `replacing` that an output
    /// may be written there (by default, only where nothing exists).
    public init(path: String, replacing: Replacement = .never) throws(FileError) {
        try replacing.check(path)
        let temporaryPath = path + ".tempstate" + String(UInt64.random(in: 0...UInt64.max))
        let fd = try systemCall(temporaryPath) { open(temporaryPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        self.path = path
        self.temporaryPath = temporaryPath
        self.descriptor = fd
        self.replacing = replacing
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
        if let staging {
            try staging.append(bytes)
        } else {
            try writeAll(bytes, to: descriptor, at: count, path: path)
        }
        count += bytes.count
    }

    /// From now on, appends are gathered in an aligned buffer of `bufferSize` bytes and written
    /// with O_DIRECT, bypassing the page cache (the commit writes the rest). Returns false, and
    /// changes nothing, when the file system does not support that. Only for files written by
    /// appends alone, from the start.
    @discardableResult
    public func appendDirectly(bufferSize: Int = 8 << 20) throws(FileError) -> Bool {
        guard count == 0, staging == nil, let writer = try directWriter() else { return false }
        staging = DirectStaging(writer: writer, size: bufferSize)
        return true
    }

    /// Sets the file's length (the bytes written at positions later are then random-access).
    public func preallocate(_ size: Int) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        _ = try systemCall(path, "ftruncate") { ftruncate(descriptor, off_t(size)) }
    }

    /// A handle that writes at positions of the (preallocated) file from any thread; bytes
    /// it writes are flushed by ``commit()``.
    public func positionalWriter() throws(FileError) -> PositionalWriter {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        return PositionalWriter(descriptor: try systemCall(path, "dup") { dup(descriptor) }, path: path)
    }

    /// A handle that writes at positions of the file bypassing the page cache (O_DIRECT), or
    /// nil when the file system does not support that. Its buffers, offsets and lengths must be
    /// multiples of ``PositionalWriter/directAlignment``; a write that pads the file's end
    /// past its intended length is undone with ``preallocate(_:)``.
    public func directWriter() throws(FileError) -> PositionalWriter? {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "written after commit") }
        // EINVAL: the file system does not take O_DIRECT.
        let direct = try systemCall(temporaryPath, ignoring: .invalidArgument) { open(temporaryPath, O_WRONLY | directFlag | O_CLOEXEC) }
        return direct.map { PositionalWriter(descriptor: $0, path: path) }
    }

    /// Writes the whole file `path` at once: `bytes` written aside, flushed and renamed into
    /// place, replacing only what `replacing` allows.
    public static func write(_ bytes: [UInt8], to path: String, replacing: Replacement = .never) throws(FileError) {
        let file = try OutputFile(path: path, replacing: replacing)
        try file.write(bytes)
        try file.commit()
    }

    /// Appends the bytes of `array`.
    public func write(_ array: [UInt8]) throws(FileError) {
        try array.withUnsafeBytes { raw in Result { () throws(FileError) in try write(raw) } }.get()
    }

    /// Flushes the file to disk, renames it to ``path`` and flushes the directory, so the
    /// name survives a crash once this returns.
    ///
    /// What is at ``path`` by then is checked again with ``replacing``; where nothing may be
    /// replaced the file is linked into place, which fails rather than replace a file that
    /// appeared in the meantime. With `durable` false nothing is flushed: for scratch files
    /// that are thrown away, where readers still see the whole file or none of it.
    public func commit(durable: Bool = true) throws(FileError) {
        guard descriptor >= 0 else { throw FileError(code: .io, path: path, cause: "committed twice") }
        if let staging {
            do {
                try staging.finish()
                try preallocate(count)
            } catch {
                close(descriptor)
                descriptor = -1
                unlink(temporaryPath)
                throw error
            }
        }
        let fd = descriptor
        descriptor = -1
        defer { close(fd) }
        do {
            if durable { _ = try systemCall(path, "fsync") { fsync(fd) } }
            if replacing.allowed {
                try replacing.check(path)
                _ = try systemCall(path, "rename") { Glibc.rename(temporaryPath, path) }
            } else {
                // link(2) fails with EEXIST instead of replacing: no window in which another
                // writer's file could be clobbered.
                _ = try systemCall(path, "link") { link(temporaryPath, path) }
                unlink(temporaryPath)
            }
        } catch {
            unlink(temporaryPath)
            throw error
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

/// Appends gathered in aligned buffers, each written with O_DIRECT in the background once full
/// while the next one fills.
private final class DirectStaging {
    private let writer: PositionalWriter
    private var buffers: (AlignedBlock, AlignedBlock)
    private var filled = 0
    /// Where the current buffer's first byte goes in the file.
    private var offset = 0
    private let writes = BackgroundWork<FileError>()

    init(writer: PositionalWriter, size: Int) {
        let alignment = PositionalWriter.directAlignment
        let size = max(alignment, size / alignment * alignment)
        self.writer = writer
        buffers = (AlignedBlock(size: size), AlignedBlock(size: size))
    }

    deinit {
        // No buffer may go away under a write in flight.
        _ = try? writes.wait()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        var rest = bytes
        while !rest.isEmpty {
            let buffer = buffers.0.bytes
            let taken = min(rest.count, buffer.count - filled)
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + taken)]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            filled += taken
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if filled == buffer.count { try flush(count: buffer.count) }
        }
    }

    /// Writes what is left, padded with zeros to a whole block (the caller truncates the
    /// file), and waits for every write.
    func finish() throws(FileError) {
        if filled > 0 {
            let alignment = PositionalWriter.directAlignment
            let padded = (filled + alignment - 1) / alignment * alignment
            buffers.0.bytes[filled..<padded].initializeMemory(as: UInt8.self, repeating: 0)
            try flush(count: padded)
        }
        try writes.wait()
    }

    /// Waits for the other buffer's write, starts writing the first `count` bytes of the
    /// current one, and switches to the other.
    private func flush(count: Int) throws(FileError) {
        try writes.wait()
        let (block, writer, at) = (buffers.0, self.writer, offset)
        writes.start {
            Result { () throws(FileError) in try writer.write(UnsafeRawBufferPointer(rebasing: block.bytes[..<count]), at: at) }
        }
        offset += filled
        filled = 0
        buffers = (buffers.1, buffers.0)
    }
}

/// A page-aligned heap buffer, freed with the last reference.
private final class AlignedBlock: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    init(size: Int) {
        bytes = .allocate(byteCount: size, alignment: PositionalWriter.directAlignment)
    }

    deinit {
        bytes.deallocate()
    }
}

/// pwrite(2) of all of `bytes` at `offset`, retrying short and interrupted writes.
private func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, at offset: Int, path: String) throws(FileError) {
    guard var cursor = bytes.baseAddress else { return }
    var remaining = bytes.count
    var position = offset
    while remaining > 0 {
        let written = try systemCall(path, "write") { pwrite(descriptor, cursor, remaining, off_t(position)) }
        cursor += written
        remaining -= written
        position += written
    }
}

/// O_DIRECT, which Glibc's Swift module leaves out (it needs _GNU_SOURCE): Linux's value on
/// x86-64 and on AArch64.
#if arch(x86_64)
let directFlag: Int32 = 0o40000
#else
let directFlag: Int32 = 0o200000
#endif
