import Checksums
import SSTable

extension CheckpointBundle {
    /// The concrete box of every slice a full-tensor record lists, checked for fit, overlap
    /// and complete coverage of the tensor.
    public static func sliceBoxes(of full: BundleEntry, key: [UInt8]) throws(TensorError) -> [[Range<Int64>]] {
        var boxes: [[Range<Int64>]] = []
        for slice in full.slices {
            switch slice.ranges(in: full.shape) {
            case .success(let box): boxes.append(box)
            case .failure(let error): throw TensorError(.badSlices, key: key, error.cause)
            }
        }
        for (i, a) in boxes.enumerated() {
            for j in 0..<i where zip(a, boxes[j]).allSatisfy({ $0.overlaps($1) }) {
                throw TensorError(
                    .badSlices, key: key, "overlapping slices: existing slice = \(full.slices[j]), new slice = \(full.slices[i])")
            }
        }
        let covered = boxes.reduce(Int64(0)) { sum, box in sum + box.reduce(Int64(1)) { $0 * Int64($1.count) } }
        let total = full.shape.elementCount ?? 0
        guard covered == total else {
            throw TensorError(.badSlices, key: key, "slices cover \(covered) of \(total) elements")
        }
        return boxes
    }

    /// Assembles a partitioned fixed-size tensor from its slice records, checking each slice
    /// record's dtype, shape, size and CRC.
    func assemble(_ full: BundleEntry, key: [UInt8]) throws(TensorError) -> TensorValue {
        guard let elementSize = full.dtype.elementSize else {
            throw TensorError(.unsupported, key: key, "partitioned \(full.dtype) tensors cannot be assembled")
        }
        let boxes = try Self.sliceBoxes(of: full, key: key)
        // Check every slice record, and that its bytes exist, before allocating the output:
        // the full shape is untrusted until the stored slices account for all of it.
        var parts: [(key: [UInt8], entry: BundleEntry, box: [Range<Int64>])] = []
        for (slice, box) in zip(full.slices, boxes) {
            let sliceKey = SliceKey.encode(name: key, slice: slice)
            guard record(forKey: sliceKey) != nil else {
                throw TensorError(.badSlices, key: key, "the record of slice \(slice) is missing")
            }
            let entry = try entry(forKey: sliceKey)
            try Self.validate(entry, key: sliceKey)
            let lengths = box.map { Int64($0.count) }
            guard entry.dtype == full.dtype, entry.shape.dimensions == lengths else {
                throw TensorError(
                    .badSlices, key: key,
                    "slice \(slice) is stored as \(entry.dtype) \(entry.shape), expected \(full.dtype) \(TensorShape(lengths))")
            }
            try withStoredBytes(of: entry, key: sliceKey) { _ in }
            parts.append((sliceKey, entry, box))
        }
        var output = [UInt8](repeating: 0, count: Int(full.shape.elementCount ?? 0) * elementSize)
        for (sliceKey, entry, box) in parts {
            try withStoredBytes(of: entry, key: sliceKey) { (bytes) throws(TensorError) in
                try Self.checkCRC(CRC32C.checksum(bytes), of: entry, key: sliceKey)
                output.withUnsafeMutableBytes { destination in
                    Self.copy(bytes, box: box, shape: full.shape, elementSize: elementSize, into: destination)
                }
            }
        }
        return TensorValue(dtype: full.dtype, shape: full.shape, contents: .fixed(output))
    }

    /// Copies a dense row-major `box` of a tensor of `shape` into its place in `destination`.
    static func copy(
        _ source: UnsafeRawBufferPointer, box: [Range<Int64>], shape: TensorShape, elementSize: Int,
        into destination: UnsafeMutableRawBufferPointer
    ) {
        let rank = shape.rank
        guard rank > 0, box.allSatisfy({ !$0.isEmpty }) else { return }
        var strides = [Int](repeating: 1, count: rank)
        for dimension in stride(from: rank - 2, through: 0, by: -1) {
            strides[dimension] = strides[dimension + 1] * Int(shape.dimensions[dimension + 1])
        }
        let rowBytes = box[rank - 1].count * elementSize
        var index = box.map { Int($0.lowerBound) }
        var sourceOffset = 0
        while true {
            let element = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
            destination.baseAddress!.advanced(by: element * elementSize)
                .copyMemory(from: source.baseAddress! + sourceOffset, byteCount: rowBytes)
            sourceOffset += rowBytes
            // Advance the odometer over every dimension but the last.
            var dimension = rank - 2
            while dimension >= 0 {
                index[dimension] += 1
                if index[dimension] < Int(box[dimension].upperBound) { break }
                index[dimension] = Int(box[dimension].lowerBound)
                dimension -= 1
            }
            if dimension < 0 { return }
        }
    }
}
