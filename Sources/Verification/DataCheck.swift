import Checksums
import Parallelism
import TensorBundle

/// Checksums the bytes of every stored part in parallel: fixed-size tensors in chunks whose
/// CRCs are combined, strings and variants whole (their encodings are sequential). Bytes are
/// read through the maps and released as soon as they are checksummed, so the resident size
/// stays near `jobs × chunkSize` whatever the checkpoint's size.
struct DataCheck {
    /// One unit of work: a byte range of one part.
    private struct Chunk: Sendable {
        let part: Int
        let range: Range<Int>
    }

    /// Checks `parts` and returns, for each, nil or the error it failed with.
    static func run(
        _ parts: [StoredPart], bundle: CheckpointBundle, jobs: Int, chunkSize: Int, progress: (@Sendable (Int64) -> Void)?
    ) -> [TensorError?] {
        var chunks: [Chunk] = []
        var firstChunk: [Int] = []
        for (index, part) in parts.enumerated() {
            firstChunk.append(chunks.count)
            let size = Int(part.entry.size)
            let step = part.entry.dtype.elementSize == nil ? max(size, 1) : chunkSize
            var start = 0
            repeat {
                chunks.append(Chunk(part: index, range: start..<min(size, start + step)))
                start += step
            } while start < size
        }
        let work = chunks
        // One slot per chunk for each result, as ResultSlots requires: a part's chunks run on
        // different threads.
        let crcs = ResultSlots<UInt32>(count: chunks.count, initial: 0)
        let errors = ResultSlots<TensorError?>(count: chunks.count, initial: nil)
        ParallelWork.run(count: chunks.count, jobs: jobs) { index in
            let chunk = work[index]
            let part = parts[chunk.part]
            do throws(TensorError) {
                try bundle.withStoredBytes(of: part.entry, key: part.key, subrange: chunk.range, evictAfterUse: true) {
                    (bytes) throws(TensorError) in
                    if part.entry.dtype.elementSize != nil {
                        crcs[index] = CRC32C.checksum(bytes)
                    } else {
                        try CheckpointBundle.check(part.entry, key: part.key, bytes)
                    }
                }
            } catch {
                errors[index] = error
            }
            progress?(Int64(chunk.range.count))
        }
        return parts.indices.map { (index) -> TensorError? in
            let part = parts[index]
            let own = firstChunk[index]..<(index + 1 < parts.count ? firstChunk[index + 1] : chunks.count)
            // The error of the part's first failing chunk, in byte order.
            if let error = own.lazy.compactMap({ errors[$0] }).first { return error }
            guard part.entry.dtype.elementSize != nil else { return nil }
            var crc: UInt32 = 0
            for chunk in own {
                crc = CRC32C.combine(crc, crcs[chunk], lengthB: chunks[chunk].range.count)
            }
            do throws(TensorError) {
                try CheckpointBundle.checkCRC(crc, of: part.entry, key: part.key)
                return nil
            } catch {
                return error
            }
        }
    }
}
