import BinaryCoding

/// The manifest form of a program: `varint input count`, `varint instruction count`, then per
/// instruction `u8 opcode` and its operands (an input number or value indices as varints, a
/// constant as its u32 bit pattern).
extension PredictionProgram.Instruction {
    var opcode: UInt8 {
        switch self {
        case .input: 0
        case .constant: 1
        case .add: 2
        case .subtract: 3
        case .multiply: 4
        case .divide: 5
        case .maximum: 6
        case .squareRoot: 7
        case .magnitude: 8
        case .sign: 9
        }
    }
}

extension PredictionProgram {
    func encode(to out: inout [UInt8]) {
        Varint.append(UInt64(inputCount), to: &out)
        Varint.append(UInt64(instructions.count), to: &out)
        for instruction in instructions {
            out.append(instruction.opcode)
            switch instruction {
            case .input(let number): Varint.append(UInt64(number), to: &out)
            case .constant(let bits): out.appendUInt32LE(bits)
            default: for operand in instruction.operands { Varint.append(UInt64(operand), to: &out) }
            }
        }
    }
}

extension ManifestReader {
    /// The manifest's table of programs: `varint count`, then each as `varint input count` and
    /// its instructions.
    mutating func programs() throws -> [PredictionProgram] {
        try (0..<(try count(minimumBytesEach: 3))).map { (_) throws in try program(inputCount: try number()) }
    }

    /// A program over `inputCount` inputs, checked as ``PredictionProgram/init(_:inputCount:)`` does.
    mutating func program(inputCount: Int) throws -> PredictionProgram {
        let count = try self.count(minimumBytesEach: 2)
        guard count <= PredictionProgram.maximumInstructions else {
            throw DeltaError(.corrupt, "manifest: a prediction program of \(count) instructions")
        }
        var instructions: [PredictionProgram.Instruction] = []
        for _ in 0..<count {
            let opcode = try byte()
            switch opcode {
            case 0: instructions.append(.input(try number()))
            case 1: instructions.append(.constant(try uint32()))
            case 2: instructions.append(.add(try number(), try number()))
            case 3: instructions.append(.subtract(try number(), try number()))
            case 4: instructions.append(.multiply(try number(), try number()))
            case 5: instructions.append(.divide(try number(), try number()))
            case 6: instructions.append(.maximum(try number(), try number()))
            case 7: instructions.append(.squareRoot(try number()))
            case 8: instructions.append(.magnitude(try number()))
            case 9: instructions.append(.sign(try number()))
            default: throw DeltaError(.corrupt, "manifest: unknown prediction opcode \(opcode)")
            }
        }
        do {
            return try PredictionProgram(instructions, inputCount: inputCount)
        } catch {
            throw DeltaError(.corrupt, "manifest: \(error)")
        }
    }

    /// A version 1 predicted run (run kind 2): an Adam prediction of kind 1 (second moment,
    /// parameters 1 − β1, 1 − β2, inputs v₀, m₀, m₁) or kind 2 (weight, parameters α, ε, inputs
    /// w₀, m₁, v₁), read as the program computing it.
    mutating func legacyAdamRun() throws -> Run {
        let length = try number()
        let encoding = try predictedEncoding()
        let section = try number()
        let kind = try byte()
        let first = Float(bitPattern: try uint32()), second = Float(bitPattern: try uint32())
        let inputs = try (0..<3).map { (_) throws in try location() }
        let builder = ProgramBuilder<Int>()
        let (a, b, c) = (builder.input(0), builder.input(1), builder.input(2))
        let result: ProgramExpression<Int>
        switch kind {
        case 1: result = UpdateRules.adamSecondMoment(v0: a, m0: b, m1: c, oneMinusBeta1: first, oneMinusBeta2: second)
        case 2: result = UpdateRules.adamWeight(a, m1: b, v1: c, alpha: first, epsilon: second)
        default: throw DeltaError(.corrupt, "manifest: unknown prediction kind")
        }
        let prediction = Run.Prediction(level: Int(kind), program: builder.program(returning: result), inputs: inputs)
        return .predicted(length: length, encoding: encoding, section: section, prediction: prediction, name: try string())
    }
}
