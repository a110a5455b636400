import MappedIO

/// What the runs of a delta are rebuilt from: the delta's sections, the base's data files and
/// the target files rebuilt so far (which predicted runs read).
struct RunSources: Sendable {
    let delta: DeltaFile
    let baseFiles: [MappedFile]
    let rebuilt: [MappedFile]

    /// Produces one run's bytes into `destination` (exactly the run's length).
    func produce(_ run: Run, into destination: UnsafeMutableRawBufferPointer, worker: RunWorker) throws(DeltaError) {
        switch run {
        case .copy(let file, let source, let length, _):
            let range = source..<(source + length)
            defer { baseFiles[file].evict(range) }
            baseFiles[file].withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
        case .chunk(let length, let encoding, let elementSize, let section, let reference, _):
            try delta.withSection(at: section, kind: .chunk) { (payload) throws(DeltaError) in
                guard let reference else {
                    return try worker.codec.decode(payload, encoding: encoding, elementSize: elementSize, base: nil, into: destination)
                }
                let range = reference.offset..<(reference.offset + length)
                defer { baseFiles[reference.file].evict(range) }
                try baseFiles[reference.file].withUnsafeBytes { (bytes) throws(DeltaError) in
                    try worker.codec.decode(
                        payload, encoding: encoding, elementSize: elementSize,
                        base: UnsafeRawBufferPointer(rebasing: bytes[range]), into: destination)
                }
            }
        case .predicted(let length, let encoding, let section, let prediction, _):
            try worker.predictions.withPrediction(prediction, length: length, base: baseFiles, target: rebuilt) {
                (reference) throws(DeltaError) in
                try delta.withSection(at: section, kind: .chunk) { (payload) throws(DeltaError) in
                    try worker.codec.decode(payload, encoding: encoding, elementSize: 4, base: reference, into: destination)
                }
            }
        }
    }
}

/// What each worker keeps between runs: its codec and its buffers.
final class RunWorker {
    let codec = ChunkCodec(level: 1)
    let predictions = PredictionBuffer()
    let output = ReusableBuffer()
}
