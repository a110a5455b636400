import MappedIO

/// What the runs of a delta are rebuilt from: the delta's sections, the base's data files and
/// the target files rebuilt so far (which predicted runs read).
struct RunSources: Sendable {
    let delta: DeltaFile
    let baseFiles: [MappedFile]
    let rebuilt: [MappedFile]

    /// Produces one run's bytes into `destination` (exactly the run's length). The pages it
    /// reads stay in this process until ``release(_:)``.
    func produce(_ run: Run, into destination: UnsafeMutableRawBufferPointer, worker: RunWorker) throws {
        switch run {
        case .copy(let file, let source, let length, _):
            let range = source..<(source + length)
            baseFiles[file].withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
        case .chunk(let length, let encoding, let elementSize, let section, let reference, _):
            try delta.withSection(at: section, kind: .chunk) { (payload) throws in
                guard let reference else {
                    return try worker.codec.decode(payload, encoding: encoding, elementSize: elementSize, base: nil, into: destination)
                }
                let range = reference.offset..<(reference.offset + length)
                try baseFiles[reference.file].withUnsafeBytes { (bytes) throws in
                    try worker.codec.decode(
                        payload, encoding: encoding, elementSize: elementSize,
                        base: UnsafeRawBufferPointer(rebasing: bytes[range]), into: destination)
                }
            }
        case .predicted(let length, let encoding, let section, let prediction, _):
            try worker.predictions.withPrediction(prediction, length: length, base: baseFiles, target: rebuilt) {
                (reference) throws in
                try delta.withSection(at: section, kind: .chunk) { (payload) throws in
                    try worker.codec.decode(payload, encoding: encoding, elementSize: 4, base: reference, into: destination)
                }
            }
        }
    }
}

extension RunSources {
    /// Releases from this process the pages of the base and of the rebuilt files that `runs`
    /// read, once they are produced (and nothing else reads them). Ranges less than
    /// ``releasedGapBytes`` apart are released as one, for each release interrupts every other
    /// core to flush its TLB (a sparsely updated tensor is thousands of small runs).
    func release(_ runs: some Sequence<Run>) {
        var ranges: [ObjectIdentifier: (file: MappedFile, pieces: [Range<Int>])] = [:]
        func add(_ file: MappedFile, _ range: Range<Int>) {
            ranges[ObjectIdentifier(file), default: (file, [])].pieces.append(range)
        }
        for run in runs {
            switch run {
            case .copy(let file, let source, let length, _):
                add(baseFiles[file], source..<(source + length))
            case .chunk(let length, _, _, _, let reference?, _):
                add(baseFiles[reference.file], reference.offset..<(reference.offset + length))
            case .chunk:
                break
            case .predicted(let length, _, _, let prediction, _):
                for input in prediction.inputs {
                    add(input.source == .base ? baseFiles[input.file] : rebuilt[input.file], input.offset..<(input.offset + length))
                }
            }
        }
        for (file, pieces) in ranges.values {
            var merged: [Range<Int>] = []
            for range in pieces.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, range.lowerBound <= last.upperBound + Self.releasedGapBytes {
                    merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            for range in merged { file.evict(range) }
        }
    }

    static let releasedGapBytes = 1 << 20
}

/// What each worker keeps between runs: its codec and its buffers.
final class RunWorker {
    let codec = ChunkCodec(level: 1)
    let predictions = PredictionBuffer()
    let output = ReusableBuffer()
}
