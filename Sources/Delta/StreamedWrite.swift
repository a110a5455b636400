import Checksums
import MappedIO
import Parallelism

extension DeltaApplier {
    /// Rebuilds one data file front to back in windows of whole runs, each window produced in
    /// parallel into an aligned buffer and written with `direct` (O_DIRECT): offsets and
    /// lengths stay multiples of the alignment by carrying a window's unaligned tail over to
    /// the next, and the last block is padded (the caller truncates the file back to its size).
    /// The runs are those of a file without predicted runs.
    ///
    /// Returns the XXH3-128 of the bytes written.
    func stream(
        _ runs: [(file: Int, offset: Int, run: Run)], to direct: PositionalWriter, sources: RunSources
    ) throws -> XXH128Digest {
        let block = PositionalWriter.directAlignment
        let window = windowBytes > 0 ? windowBytes : max(jobs * batchPerJob, 1) * (4 << 20)
        let longest = runs.map(\.run.length).max() ?? 0
        let capacity = (block + window + longest + 2 * block) / block * block
        // Two windows: one written in the background while the next is produced.
        var buffers = (
            UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: block),
            UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: block)
        )
        var hasher = XXH3Hasher128()
        var start = 0  // the file offset of the buffer's first byte, a multiple of `block`
        var carried = 0  // bytes at the buffer's start already produced by the previous window
        var next = 0
        let writes = BackgroundWork<FileError>()
        // No buffer goes away under a write in flight, whatever ends this function.
        defer {
            _ = try? writes.wait()
            buffers.0.deallocate()
            buffers.1.deallocate()
        }
        while true {
            let buffer = buffers.0
            var end = start + carried
            let first = next
            while next < runs.count && end - start < window {
                end += runs[next].run.length
                next += 1
            }
            let window = Array(runs[first..<next])
            try produce(window, into: SharedBuffer(bytes: buffer, origin: start), sources: sources)
            progress?.advance(Int64(window.reduce(0) { $0 + $1.run.length }))
            let last = next == runs.count
            let alignedEnd = last ? (end + block - 1) / block * block : end / block * block
            if last { buffer[(end - start)..<(alignedEnd - start)].initializeMemory(as: UInt8.self, repeating: 0) }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<(min(end, alignedEnd) - start)]))
            try writes.wait()
            let written = SharedBuffer(bytes: UnsafeMutableRawBufferPointer(rebasing: buffer[..<(alignedEnd - start)]), origin: start)
            writes.start {
                Result { () throws(FileError) in try direct.write(UnsafeRawBufferPointer(written.bytes), at: written.origin) }
            }
            if last { break }
            carried = end - alignedEnd
            buffers = (buffers.1, buffers.0)
            buffers.0.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[(alignedEnd - start)..<(end - start)]))
            start = alignedEnd
        }
        try writes.wait()
        return hasher.finalize()
    }

    /// Produces a window's runs in parallel, each into its place in the buffer.
    private func produce(_ runs: [(file: Int, offset: Int, run: Run)], into buffer: SharedBuffer, sources: RunSources) throws {
        let failures = ResultSlots<(any Error)?>(count: runs.count, initial: nil)
        ParallelWork.run(count: runs.count, jobs: jobs, state: { RunWorker() }) { worker, index in
            let (_, offset, run) = runs[index]
            let destination = buffer.slice(offset..<(offset + run.length))
            do throws {
                try sources.produce(run, into: destination, worker: worker)
            } catch {
                failures[index] = error
            }
        }
        sources.release(runs.lazy.map(\.run))
        for index in runs.indices {
            if let failure = failures[index] { throw failure }
        }
    }
}

/// A window buffer that workers fill in disjoint slices, addressed by file offset.
private struct SharedBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    /// The file offset of `bytes[0]`.
    let origin: Int

    func slice(_ range: Range<Int>) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: bytes[(range.lowerBound - origin)..<(range.upperBound - origin)])
    }
}
