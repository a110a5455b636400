import MappedIO

extension Run.Prediction {
    /// The same prediction for the bytes `distance` further on: every input advanced alike.
    func advanced(by distance: Int) -> Run.Prediction {
        Run.Prediction(level: level, program: program, inputs: inputs.map { $0.advanced(by: distance) })
    }

    /// Releases the pages the prediction of `length` bytes reads from this process.
    func evictInputs(length: Int, base: [MappedFile], target: [MappedFile]) {
        for input in inputs {
            (input.source == .base ? base[input.file] : target[input.file]).evict(input.offset..<(input.offset + length))
        }
    }

    /// Computes the prediction into `output` (its length) from its inputs in the base's data
    /// files and the target's (as rebuilt so far), in create and apply alike. The manifest was
    /// validated: every input lies inside its file.
    func compute(base: [MappedFile], target: [MappedFile], into output: UnsafeMutableRawBufferPointer, scratch: inout [Float]) {
        func lend(_ index: Int, _ buffers: [UnsafeRawBufferPointer]) {
            guard index < inputs.count else {
                program.evaluate(buffers, into: output, scratch: &scratch)
                return
            }
            let input = inputs[index]
            let file = input.source == .base ? base[input.file] : target[input.file]
            file.withUnsafeBytes { bytes in
                lend(index + 1, buffers + [UnsafeRawBufferPointer(rebasing: bytes[input.offset..<(input.offset + output.count)])])
            }
        }
        lend(0, [])
    }
}

/// Where a worker computes predictions, reused run after run: the predicted bytes and the
/// interpreter's values.
final class PredictionBuffer {
    private let bytes = ReusableBuffer()
    private var scratch: [Float] = []

    /// Computes `length` bytes of `prediction` and lends them to `body`.
    func withPrediction<Result, Failure: Error>(
        _ prediction: Run.Prediction, length: Int, base: [MappedFile], target: [MappedFile],
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try bytes.withPrefix(length) { (output) throws(Failure) in
            prediction.compute(base: base, target: target, into: output, scratch: &scratch)
            return try body(UnsafeRawBufferPointer(output))
        }
    }
}
