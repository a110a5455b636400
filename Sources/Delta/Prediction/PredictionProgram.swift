/// A float32 computation, element by element, of a predicted run's reference bytes from its
/// inputs: how an optimizer's update rule is written into a delta.
///
/// A program is a list of instructions in single static assignment form: instruction `k`
/// defines value `k` from inputs, constants and values defined before it, and the last value
/// is the prediction. Every operation is one IEEE-754 binary32 operation with
/// round-to-nearest-even and nothing fused, so a creator and an applier on any machine compute
/// the same bits; every constant is stored in the program.
public struct PredictionProgram: Sendable, Hashable {
    public enum Instruction: Sendable, Hashable {
        /// Element `i` of input `n`.
        case input(Int)
        /// A float32, by its bit pattern.
        case constant(UInt32)
        case add(Int, Int)
        case subtract(Int, Int)
        case multiply(Int, Int)
        case divide(Int, Int)
        /// `b` if `a < b`, else `a`.
        case maximum(Int, Int)
        case squareRoot(Int)
        /// The value with its sign bit cleared.
        case magnitude(Int)
        /// 1 if positive, −1 if negative, else the value itself (±0, NaN).
        case sign(Int)

        var operands: [Int] {
            switch self {
            case .input, .constant: []
            case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b), .maximum(let a, let b):
                [a, b]
            case .squareRoot(let a), .magnitude(let a), .sign(let a): [a]
            }
        }
    }

    /// The most instructions and inputs a program may have (a reader refuses more).
    public static let maximumInstructions = 64
    public static let maximumInputs = 8

    public let instructions: [Instruction]
    public let inputCount: Int

    /// A program, checked: one to ``maximumInstructions`` instructions, each reading only
    /// values defined before it and inputs below `inputCount` (at most ``maximumInputs``).
    public init(_ instructions: [Instruction], inputCount: Int) throws {
        guard (1...Self.maximumInstructions).contains(instructions.count), (0...Self.maximumInputs).contains(inputCount) else {
            throw DeltaError(.corrupt, "prediction program of \(instructions.count) instructions over \(inputCount) inputs")
        }
        for (index, instruction) in instructions.enumerated() {
            if case .input(let input) = instruction, !(0..<inputCount).contains(input) {
                throw DeltaError(.corrupt, "prediction program reads input \(input) of \(inputCount)")
            }
            guard instruction.operands.allSatisfy({ (0..<index).contains($0) }) else {
                throw DeltaError(.corrupt, "prediction program instruction \(index) reads a value not defined before it")
            }
        }
        self.instructions = instructions
        self.inputCount = inputCount
    }

    /// Elements computed per pass over the instructions: every value of a block stays in cache.
    static let blockElements = 256

    /// Computes `output.count / 4` little-endian float32 elements from `inputs` (each at least
    /// that long), using `scratch` for the values of one block.
    func evaluate(_ inputs: [UnsafeRawBufferPointer], into output: UnsafeMutableRawBufferPointer, scratch: inout [Float]) {
        let block = Self.blockElements
        let needed = instructions.count * block
        if scratch.count < needed { scratch = [Float](repeating: 0, count: needed) }
        let total = output.count / 4
        scratch.withUnsafeMutableBufferPointer { values in
            let base = values.baseAddress!
            // Constants are filled in once; everything else block by block.
            for (index, instruction) in instructions.enumerated() {
                if case .constant(let bits) = instruction {
                    base.advanced(by: index * block).update(repeating: Float(bitPattern: bits), count: block)
                }
            }
            var start = 0
            while start < total {
                let count = min(block, total - start)
                for (index, instruction) in instructions.enumerated() {
                    let out = base + index * block
                    switch instruction {
                    case .input(let input):
                        // Little-endian float32 is the host's layout on every platform Swift runs this on.
                        UnsafeMutableRawPointer(out).copyMemory(from: inputs[input].baseAddress! + start * 4, byteCount: count * 4)
                    case .constant:
                        break
                    case .add(let a, let b):
                        let (x, y) = (base + a * block, base + b * block)
                        for i in 0..<count { out[i] = x[i] + y[i] }
                    case .subtract(let a, let b):
                        let (x, y) = (base + a * block, base + b * block)
                        for i in 0..<count { out[i] = x[i] - y[i] }
                    case .multiply(let a, let b):
                        let (x, y) = (base + a * block, base + b * block)
                        for i in 0..<count { out[i] = x[i] * y[i] }
                    case .divide(let a, let b):
                        let (x, y) = (base + a * block, base + b * block)
                        for i in 0..<count { out[i] = x[i] / y[i] }
                    case .maximum(let a, let b):
                        let (x, y) = (base + a * block, base + b * block)
                        for i in 0..<count { out[i] = Self.maximum(x[i], y[i]) }
                    case .squareRoot(let a):
                        let x = base + a * block
                        for i in 0..<count { out[i] = x[i].squareRoot() }
                    case .magnitude(let a):
                        let x = base + a * block
                        for i in 0..<count { out[i] = Float(bitPattern: x[i].bitPattern & 0x7fff_ffff) }
                    case .sign(let a):
                        let x = base + a * block
                        for i in 0..<count { out[i] = Self.sign(x[i]) }
                    }
                }
                (output.baseAddress! + start * 4).copyMemory(from: base + (instructions.count - 1) * block, byteCount: count * 4)
                start += count
            }
        }
    }

    /// The program over columns of float32 values (one per input, of one length): what it
    /// predicts for each row, computed as ``evaluate(_:into:scratch:)`` computes it.
    func evaluate(columns: [[Float]]) -> [Float] {
        let count = columns.map(\.count).min() ?? 0
        let packed = columns.flatMap { $0.prefix(count) }
        var output = [Float](repeating: 0, count: count)
        var scratch: [Float] = []
        packed.withUnsafeBytes { bytes in
            let inputs = columns.indices.map { UnsafeRawBufferPointer(rebasing: bytes[($0 * count * 4)..<(($0 + 1) * count * 4)]) }
            output.withUnsafeMutableBytes { evaluate(inputs, into: $0, scratch: &scratch) }
        }
        return output
    }

    @inline(__always)
    private static func maximum(_ a: Float, _ b: Float) -> Float { a < b ? b : a }

    @inline(__always)
    private static func sign(_ x: Float) -> Float { x > 0 ? 1 : x < 0 ? -1 : x }
}
