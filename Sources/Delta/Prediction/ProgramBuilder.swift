/// Writes a ``PredictionProgram`` as arithmetic on ``ProgramExpression``s, so that an update
/// rule reads like the optimizer's own code:
///
/// ```swift
/// let builder = ProgramBuilder<Tensor>()
/// let w0 = builder.input(.weight(.base)), m1 = builder.input(.momentum(.target))
/// let program = builder.program(returning: w0 + m1)
/// ```
///
/// Inputs are named by `Source` and numbered in the order they are first used
/// (``inputs``). Operations are recorded in evaluation order, each one rounding.
final class ProgramBuilder<Source: Hashable> {
    private(set) var instructions: [PredictionProgram.Instruction] = []
    /// The sources of the program's inputs, by input number.
    private(set) var inputs: [Source] = []

    init() {}

    func input(_ source: Source) -> ProgramExpression<Source> {
        let number =
            inputs.firstIndex(of: source)
            ?? {
                inputs.append(source)
                return inputs.count - 1
            }()
        return append(.input(number))
    }

    func constant(_ value: Float) -> ProgramExpression<Source> {
        append(.constant(value.bitPattern))
    }

    func append(_ instruction: PredictionProgram.Instruction) -> ProgramExpression<Source> {
        instructions.append(instruction)
        return ProgramExpression(builder: self, index: instructions.count - 1)
    }

    /// The program computing `result` (which must be the last expression built).
    func program(returning result: ProgramExpression<Source>) -> PredictionProgram {
        precondition(result.index == instructions.count - 1, "the result is the last expression built")
        // Built programs are valid by construction: operands precede their use.
        return try! PredictionProgram(instructions, inputCount: inputs.count)
    }
}

/// A value of a program being built: operators append the instruction that computes them.
struct ProgramExpression<Source: Hashable> {
    let builder: ProgramBuilder<Source>
    let index: Int

    func squareRoot() -> Self { builder.append(.squareRoot(index)) }
    var magnitude: Self { builder.append(.magnitude(index)) }
    var sign: Self { builder.append(.sign(index)) }
    func maximum(_ other: Self) -> Self { builder.append(.maximum(index, other.index)) }

    static func + (a: Self, b: Self) -> Self { a.builder.append(.add(a.index, b.index)) }
    static func - (a: Self, b: Self) -> Self { a.builder.append(.subtract(a.index, b.index)) }
    static func * (a: Self, b: Self) -> Self { a.builder.append(.multiply(a.index, b.index)) }
    static func / (a: Self, b: Self) -> Self { a.builder.append(.divide(a.index, b.index)) }

    static func + (a: Self, b: Float) -> Self { a + a.builder.constant(b) }
    static func - (a: Self, b: Float) -> Self { a - a.builder.constant(b) }
    static func * (a: Self, b: Float) -> Self { a * a.builder.constant(b) }
    static func / (a: Self, b: Float) -> Self { a / a.builder.constant(b) }
    static func + (a: Float, b: Self) -> Self { b.builder.constant(a) + b }
    static func - (a: Float, b: Self) -> Self { b.builder.constant(a) - b }
    static func * (a: Float, b: Self) -> Self { b.builder.constant(a) * b }
    static func / (a: Float, b: Self) -> Self { b.builder.constant(a) / b }
}
