import MappedIO

extension Run.Prediction {
    /// Computes `length` bytes of the prediction into `output` (at least that long) from its
    /// inputs in the base's data files and the target's (as rebuilt so far), in create and
    /// apply alike. The manifest was validated: every input lies inside its file.
    func compute(length: Int, base: [MappedFile], target: [MappedFile], into output: inout [UInt8], scratch: inout [Float]) {
        func lend(_ index: Int, _ buffers: [UnsafeRawBufferPointer]) {
            guard index < inputs.count else {
                output.withUnsafeMutableBytes { destination in
                    program.evaluate(buffers, into: UnsafeMutableRawBufferPointer(rebasing: destination[..<length]), scratch: &scratch)
                }
                return
            }
            let input = inputs[index]
            let file = input.source == .base ? base[input.file] : target[input.file]
            file.withUnsafeBytes { bytes in
                lend(index + 1, buffers + [UnsafeRawBufferPointer(rebasing: bytes[input.offset..<(input.offset + length)])])
            }
        }
        lend(0, [])
    }
}
