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
            if worker.prediction.count < length { worker.prediction = [UInt8](repeating: 0, count: length) }
            prediction.compute(length: length, base: baseFiles, target: rebuilt, into: &worker.prediction, scratch: &worker.scratch)
            try delta.withSection(at: section, kind: .chunk) { (payload) throws(DeltaError) in
                try worker.prediction.withUnsafeBytes { reference in
                    Swift.Result { () throws(DeltaError) in
                        try worker.codec.decode(
                            payload, encoding: encoding, elementSize: 4,
                            base: UnsafeRawBufferPointer(rebasing: reference[..<length]), into: destination)
                    }
                }.get()
            }
        }
    }
}

/// What each worker keeps between runs: its codec and its buffers.
final class RunWorker {
    let codec = ChunkCodec(level: 1)
    var prediction: [UInt8] = []
    var scratch: [Float] = []
    let output = ReusableBuffer()
}
