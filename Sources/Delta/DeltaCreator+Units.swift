import MappedIO

extension DeltaCreator {
    /// One unit of work: a copy from the base, a chunk to encode, or a chunk to encode
    /// against a prediction (or its base, if that turns out smaller).
    enum Unit: Sendable {
        case copy(Run.BaseReference, length: Int, name: String)
        case encode(range: Range<Int>, elementSize: Int, base: Run.BaseReference?, name: String)
        case predict(range: Range<Int>, prediction: Run.Prediction, base: Run.BaseReference?, name: String)

        /// The name of the tensor the unit's bytes belong to ("" between tensors).
        var name: String {
            switch self {
            case .copy(_, _, let name), .encode(_, _, _, let name), .predict(_, _, _, let name): name
            }
        }

        /// The target bytes the unit covers.
        var length: Int {
            switch self {
            case .copy(_, let length, _): length
            case .encode(let range, _, _, _), .predict(let range, _, _, _): range.count
            }
        }
    }

    /// A part of a unit's bytes and how it is stored.
    struct Piece: Sendable {
        /// How many of the unit's bytes, following the previous piece's.
        let length: Int
        let storage: Storage

        enum Storage: Sendable {
            /// The base holds the bytes unchanged here.
            case copy(Run.BaseReference)
            /// Encoded (against `base` when given); the payload is `payload` of the unit's buffer.
            case chunk(ChunkEncoding, elementSize: Int, base: Run.BaseReference?, payload: Range<Int>)
            /// Encoded against the unit's prediction; the payload is `payload` of the unit's buffer.
            case predicted(ChunkEncoding, Run.Prediction, payload: Range<Int>)
        }
    }

    /// What each worker keeps between units: its codec and its buffers.
    final class Worker {
        let codec: ChunkCodec
        let predictions = PredictionBuffer()
        var alternative: [UInt8] = []

        init(level: Int32) {
            codec = ChunkCodec(level: level)
        }
    }

    /// Bytes compared at a time between a chunk and its base: blocks the base holds unchanged
    /// are copied, only the others encoded (a sparsely updated embedding changes a few rows
    /// per chunk). A multiple of every element size.
    static let comparedBlockBytes = 64 << 10

    /// Encodes one unit into `payload` (on a worker thread, with its codec and buffers) and
    /// returns its pieces, in order, covering all its bytes.
    static func encode(
        _ unit: Unit, data: MappedFile, targetFiles: [MappedFile], baseFiles: [MappedFile], worker: Worker, into payload: inout [UInt8]
    ) throws(DeltaError) -> [Piece] {
        payload.removeAll(keepingCapacity: true)
        switch unit {
        case .copy(let reference, let length, _):
            return [Piece(length: length, storage: .copy(reference))]
        case .encode(let range, let elementSize, let reference, _):
            defer { data.evict(range) }
            guard let reference else {
                let encoding = try encodeAgainstBase(
                    range, elementSize: elementSize, reference: nil, data: data, baseFiles: baseFiles, codec: worker.codec, into: &payload)
                return [
                    Piece(
                        length: range.count, storage: .chunk(encoding, elementSize: elementSize, base: nil, payload: 0..<payload.count))
                ]
            }
            let base = baseFiles[reference.file]
            defer { base.evict(reference.offset..<(reference.offset + range.count)) }
            // Comparing is several times faster than encoding.
            let changed = BaseMatcher.changedSpans(data, range, base, at: reference.offset, blockSize: comparedBlockBytes)
            var pieces: [Piece] = []
            var position = 0
            for span in changed {
                if span.lowerBound > position {
                    pieces.append(Piece(length: span.lowerBound - position, storage: .copy(reference.advanced(by: position))))
                }
                let spanReference = reference.advanced(by: span.lowerBound)
                let spanRange = (range.lowerBound + span.lowerBound)..<(range.lowerBound + span.upperBound)
                let start = payload.count
                let encoding = try encodeAgainstBase(
                    spanRange, elementSize: elementSize, reference: spanReference, data: data, baseFiles: baseFiles, codec: worker.codec,
                    into: &worker.alternative)
                // The first payload is taken, not copied (a chunk that changed throughout has no other).
                if start == 0 { swap(&payload, &worker.alternative) } else { payload += worker.alternative }
                let storedBase = encoding.usesBase ? spanReference : nil
                pieces.append(
                    Piece(
                        length: span.count,
                        storage: .chunk(encoding, elementSize: elementSize, base: storedBase, payload: start..<payload.count)))
                position = span.upperBound
            }
            if position < range.count {
                pieces.append(Piece(length: range.count - position, storage: .copy(reference.advanced(by: position))))
            }
            return pieces
        case .predict(let range, let prediction, let reference, _):
            defer { data.evict(range) }
            let predicted = try worker.predictions.withPrediction(prediction, length: range.count, base: baseFiles, target: targetFiles) {
                (reference) throws(DeltaError) in
                try data.withUnsafeBytes { (bytes) throws(DeltaError) in
                    try worker.codec.encode(UnsafeRawBufferPointer(rebasing: bytes[range]), base: reference, elementSize: 4, into: &payload)
                }
            }
            // A prediction that does not pay for itself gives way to the plain base encoding.
            if Double(payload.count) > 0.5 * Double(range.count) {
                let encoding = try encodeAgainstBase(
                    range, elementSize: 4, reference: reference, data: data, baseFiles: baseFiles,
                    codec: worker.codec, into: &worker.alternative)
                if worker.alternative.count < payload.count {
                    swap(&payload, &worker.alternative)
                    let storedBase = encoding.usesBase ? reference : nil
                    return [
                        Piece(length: range.count, storage: .chunk(encoding, elementSize: 4, base: storedBase, payload: 0..<payload.count))
                    ]
                }
            }
            guard predicted.usesBase else {
                return [Piece(length: range.count, storage: .chunk(predicted, elementSize: 4, base: nil, payload: 0..<payload.count))]
            }
            return [Piece(length: range.count, storage: .predicted(predicted, prediction, payload: 0..<payload.count))]
        }
    }

    /// Appends a copy run, merged into the run before it when that copies the bytes just before.
    static func appendCopy(_ reference: Run.BaseReference, length: Int, name: String, to runs: inout [Run]) {
        if case .copy(let file, let start, let previous, let previousName)? = runs.last, file == reference.file, previousName == name,
            start + previous == reference.offset
        {
            runs[runs.count - 1] = .copy(baseFile: file, offset: start, length: previous + length, name: name)
        } else {
            runs.append(.copy(baseFile: reference.file, offset: reference.offset, length: length, name: name))
        }
    }

    /// Encodes `range` of `data` into `payload`, against the base bytes at `reference` when
    /// given (released from this process afterwards).
    static func encodeAgainstBase(
        _ range: Range<Int>, elementSize: Int, reference: Run.BaseReference?, data: MappedFile, baseFiles: [MappedFile], codec: ChunkCodec,
        into payload: inout [UInt8]
    ) throws(DeltaError) -> ChunkEncoding {
        try data.withUnsafeBytes { (bytes) throws(DeltaError) in
            let target = UnsafeRawBufferPointer(rebasing: bytes[range])
            guard let reference else { return try codec.encode(target, base: nil, elementSize: elementSize, into: &payload) }
            let baseRange = reference.offset..<(reference.offset + range.count)
            defer { baseFiles[reference.file].evict(baseRange) }
            return try baseFiles[reference.file].withUnsafeBytes { (baseBytes) throws(DeltaError) in
                try codec.encode(
                    target, base: UnsafeRawBufferPointer(rebasing: baseBytes[baseRange]), elementSize: elementSize, into: &payload)
            }
        }
    }
}
