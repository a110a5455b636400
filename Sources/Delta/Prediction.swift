import MappedIO

/// Computes the reference bytes of a predicted run from its inputs, in create and apply alike.
enum Prediction {
    static func compute(_ prediction: Run.Prediction, length: Int, base: [MappedFile], target: [MappedFile], into output: inout [UInt8]) {
        let files = prediction.inputs.map { $0.source == .base ? base[$0.file] : target[$0.file] }
        files[0].withUnsafeBytes { first in
            files[1].withUnsafeBytes { second in
                files[2].withUnsafeBytes { third in
                    let inputs = zip([first, second, third], prediction.inputs).map { bytes, input in
                        UnsafeRawBufferPointer(rebasing: bytes[input.offset..<(input.offset + length)])
                    }
                    output.withUnsafeMutableBytes { destination in
                        AdamPredictor.predict(
                            prediction.kind, parameters: (Float(bitPattern: prediction.first), Float(bitPattern: prediction.second)),
                            inputs: inputs, into: UnsafeMutableRawBufferPointer(rebasing: destination[..<length]))
                    }
                }
            }
        }
    }
}
