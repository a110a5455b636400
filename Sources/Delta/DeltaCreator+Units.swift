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

            /// The same storage with its payload at `range` of the unit's buffer.
            func withPayload(_ range: Range<Int>) -> Storage {
                switch self {
                case .copy: self
                case .chunk(let encoding, let elementSize, let base, _):
                    .chunk(encoding, elementSize: elementSize, base: base, payload: range)
                case .predicted(let encoding, let prediction, _): .predicted(encoding, prediction, payload: range)
                }
            }
        }
    }

    /// What each worker keeps between units: its codec and its buffers.
    final class Worker {
        let codec: ChunkCodec
        let predictions = PredictionBuffer()
        /// A changed span's payload, before it joins the unit's.
        var span: [UInt8] = []
        /// The base encoding a prediction is weighed against.
        var alternative: [UInt8] = []

        init(level: Int32) {
            codec = ChunkCodec(level: level)
        }
    }

    /// Bytes compared at a time between a chunk and its base: blocks the base holds unchanged
    /// are copied, only the others encoded (a sparsely updated embedding changes a few rows
    /// per chunk). A multiple of every element size.
    static let comparedBlockBytes = 64 << 10
    /// The same for a chunk encoded against a prediction, smaller: predicting costs more than
    /// encoding, and a residual against an exact prediction compresses to almost nothing however
    /// it is cut.
    static let predictedBlockBytes = 4 << 10
    /// Changed spans closer than this are encoded as one: fewer, longer runs to rebuild, and an
    /// unchanged stretch between them costs next to nothing against an exact prediction.
    static let mergedGapBytes = 32 << 10

    /// Encodes one unit into `payload` (on a worker thread, with its codec and buffers) and
    /// returns its pieces, in order, covering all its bytes.
    static func encode(
        _ unit: Unit, data: MappedFile, targetFiles: [MappedFile], baseFiles: [MappedFile], worker: Worker, into payload: inout [UInt8]
    ) throws -> [Piece] {
        payload.removeAll(keepingCapacity: true)
        switch unit {
        case .copy(let reference, let length, _):
            return [Piece(length: length, storage: .copy(reference))]
        case .encode(let range, let elementSize, let reference, _):
            defer { data.evict(range) }
            return try changedSpans(
                of: range, against: reference, blockSize: comparedBlockBytes, data: data, baseFiles: baseFiles, worker: worker,
                into: &payload
            ) { (span, spanReference, spanPayload) throws in
                let encoding = try encodeAgainstBase(
                    span, elementSize: elementSize, reference: spanReference, data: data, baseFiles: baseFiles, codec: worker.codec,
                    into: &spanPayload)
                return .chunk(encoding, elementSize: elementSize, base: encoding.usesBase ? spanReference : nil, payload: 0..<0)
            }
        case .predict(let range, let prediction, let reference, _):
            defer {
                data.evict(range)
                prediction.evictInputs(length: range.count, base: baseFiles, target: targetFiles)
            }
            return try changedSpans(
                of: range, against: reference, blockSize: predictedBlockBytes, data: data, baseFiles: baseFiles, worker: worker,
                into: &payload
            ) { (span, spanReference, spanPayload) throws in
                try encodePredicted(
                    span, prediction: prediction.advanced(by: span.lowerBound - range.lowerBound), reference: spanReference, data: data,
                    targetFiles: targetFiles, baseFiles: baseFiles, worker: worker, into: &spanPayload)
            }
        }
    }

    /// The pieces of `range`: copies of the blocks of `blockSize` the base at `reference` holds
    /// unchanged (comparing is several times faster than encoding: a sparsely updated embedding
    /// changes a few rows per chunk), and each changed span (spans less than ``mergedGapBytes``
    /// apart joined) as `encodeSpan` stores it — given the span, its base and a buffer for its
    /// payload, it returns the storage (whose payload range is set here).
    private static func changedSpans(
        of range: Range<Int>, against reference: Run.BaseReference?, blockSize: Int, data: MappedFile, baseFiles: [MappedFile],
        worker: Worker, into payload: inout [UInt8],
        _ encodeSpan: (Range<Int>, Run.BaseReference?, inout [UInt8]) throws -> Piece.Storage
    ) throws -> [Piece] {
        defer { if let reference { baseFiles[reference.file].evict(reference.offset..<(reference.offset + range.count)) } }
        let changed =
            reference.map {
                BaseMatcher.changedSpans(
                    data, range, baseFiles[$0.file], at: $0.offset, blockSize: blockSize, joiningGapsBelow: Self.mergedGapBytes)
            } ?? [0..<range.count]
        var pieces: [Piece] = []
        var position = 0
        var spanPayload = worker.span
        defer { worker.span = spanPayload }
        worker.span = []
        for span in changed {
            if span.lowerBound > position, let reference {
                pieces.append(Piece(length: span.lowerBound - position, storage: .copy(reference.advanced(by: position))))
            }
            let start = payload.count
            let storage = try encodeSpan(
                (range.lowerBound + span.lowerBound)..<(range.lowerBound + span.upperBound), reference?.advanced(by: span.lowerBound),
                &spanPayload)
            // The first payload is taken, not copied (a chunk that changed throughout has no other).
            if start == 0 { swap(&payload, &spanPayload) } else { payload += spanPayload }
            spanPayload.removeAll(keepingCapacity: true)
            pieces.append(Piece(length: span.count, storage: storage.withPayload(start..<payload.count)))
            position = span.upperBound
        }
        if position < range.count, let reference {
            pieces.append(Piece(length: range.count - position, storage: .copy(reference.advanced(by: position))))
        }
        return pieces
    }

    /// Encodes `range` against `prediction` into `payload`, or against its base where that is
    /// smaller (a prediction that does not pay for itself gives way).
    private static func encodePredicted(
        _ range: Range<Int>, prediction: Run.Prediction, reference: Run.BaseReference?, data: MappedFile, targetFiles: [MappedFile],
        baseFiles: [MappedFile], worker: Worker, into payload: inout [UInt8]
    ) throws -> Piece.Storage {
        let predicted = try worker.predictions.withPrediction(prediction, length: range.count, base: baseFiles, target: targetFiles) {
            (reference) throws in
            try data.withUnsafeBytes { (bytes) throws in
                try worker.codec.encode(UnsafeRawBufferPointer(rebasing: bytes[range]), base: reference, elementSize: 4, into: &payload)
            }
        }
        if Double(payload.count) > 0.5 * Double(range.count) {
            worker.alternative.removeAll(keepingCapacity: true)
            let encoding = try encodeAgainstBase(
                range, elementSize: 4, reference: reference, data: data, baseFiles: baseFiles, codec: worker.codec,
                into: &worker.alternative)
            if worker.alternative.count < payload.count {
                swap(&payload, &worker.alternative)
                return .chunk(encoding, elementSize: 4, base: encoding.usesBase ? reference : nil, payload: 0..<0)
            }
        }
        guard predicted.usesBase else { return .chunk(predicted, elementSize: 4, base: nil, payload: 0..<0) }
        return .predicted(predicted, prediction, payload: 0..<0)
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
    /// given. The caller releases the pages it read, once per unit: every release interrupts
    /// the other cores to flush their TLBs.
    static func encodeAgainstBase(
        _ range: Range<Int>, elementSize: Int, reference: Run.BaseReference?, data: MappedFile, baseFiles: [MappedFile], codec: ChunkCodec,
        into payload: inout [UInt8]
    ) throws -> ChunkEncoding {
        try data.withUnsafeBytes { (bytes) throws in
            let target = UnsafeRawBufferPointer(rebasing: bytes[range])
            guard let reference else { return try codec.encode(target, base: nil, elementSize: elementSize, into: &payload) }
            let baseRange = reference.offset..<(reference.offset + range.count)
            return try baseFiles[reference.file].withUnsafeBytes { (baseBytes) throws in
                try codec.encode(
                    target, base: UnsafeRawBufferPointer(rebasing: baseBytes[baseRange]), elementSize: elementSize, into: &payload)
            }
        }
    }
}
