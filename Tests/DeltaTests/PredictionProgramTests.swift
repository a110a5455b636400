import FixtureSupport
import Foundation
import Testing

@testable import Delta

/// The prediction programs of delta format version 2: float32 semantics the same in blocks and
/// element by element, hostile programs refused, and version 1 deltas still applied.
struct PredictionProgramTests {
    /// Values that exercise every operation's edge: signed zeros, NaN, infinities, subnormals.
    static let awkward: [Float] = [
        0, -0.0, 1, -1, 0.1, -Float(bitPattern: 0x0026_1234), .nan, .infinity, -.infinity, 3.4e38, .leastNonzeroMagnitude, 7,
    ]

    @Test func everyOperationIsOneFloat32OperationInBlocksAsAlone() throws {
        // 600 elements: two whole blocks of 256 and a partial one.
        let a = (0..<600).map { Self.awkward[$0 % Self.awkward.count] }
        let b = (0..<600).map { Self.awkward[($0 / Self.awkward.count) % Self.awkward.count] }
        let cases: [(String, (ProgramExpression<Int>, ProgramExpression<Int>) -> ProgramExpression<Int>, (Float, Float) -> Float)] = [
            ("add", { $0 + $1 }, { $0 + $1 }),
            ("subtract", { $0 - $1 }, { $0 - $1 }),
            ("multiply", { $0 * $1 }, { $0 * $1 }),
            ("divide", { $0 / $1 }, { $0 / $1 }),
            ("maximum", { $0.maximum($1) }, { $0 < $1 ? $1 : $0 }),
            ("square root", { x, _ in x.squareRoot() }, { x, _ in x.squareRoot() }),
            ("magnitude", { x, _ in x.magnitude }, { x, _ in Float(bitPattern: x.bitPattern & 0x7fff_ffff) }),
            ("sign", { x, _ in x.sign }, { x, _ in x > 0 ? 1 : x < 0 ? -1 : x }),
            ("constants", { x, _ in (x * 0.1 + 3) / 7 }, { x, _ in (x * 0.1 + 3) / 7 }),
        ]
        for (name, build, expected) in cases {
            let builder = ProgramBuilder<Int>()
            let result = build(builder.input(0), builder.input(1))
            let program = builder.program(returning: result)
            let output = program.evaluate(columns: Array([a, b].prefix(program.inputCount)))
            for index in a.indices {
                let want = expected(a[index], b[index])
                #expect(
                    output[index].bitPattern == want.bitPattern || (output[index].isNaN && want.isNaN),
                    "\(name) of \(a[index]), \(b[index])")
            }
        }
    }

    @Test func hostileProgramsAreRefused() {
        let cases: [(String, [PredictionProgram.Instruction], Int)] = [
            ("no instructions", [], 0),
            ("a value used before it is defined", [.input(0), .add(0, 1), .input(0)], 1),
            ("a value used by itself", [.input(0), .squareRoot(1)], 1),
            ("an input past the inputs", [.input(3)], 3),
            ("a negative input", [.input(-1)], 1),
            ("65 instructions", Array(repeating: .constant(0), count: 65), 0),
            ("nine inputs", [.input(0)], 9),
        ]
        for (description, instructions, inputs) in cases {
            #expect(throws: DeltaError.self, "\(description)") { try PredictionProgram(instructions, inputCount: inputs) }
        }
    }

    @Test func programsSurviveTheManifestAndTruncationIsRefused() throws {
        let builder = ProgramBuilder<Int>()
        let w0 = builder.input(0), m1 = builder.input(1), v1 = builder.input(2)
        let program = builder.program(returning: UpdateRules.adamWeight(w0, m1: m1, v1: v1, alpha: 1e-3, epsilon: 1e-7))
        var bytes: [UInt8] = [1]
        program.encode(to: &bytes)
        var reader = ManifestReader(bytes: bytes)
        #expect(try reader.programs() == [program])
        #expect(reader.atEnd)
        for length in 1..<bytes.count {
            var truncated = ManifestReader(bytes: Array(bytes[..<length]))
            #expect(throws: DeltaError.self, "\(length) bytes") { try truncated.programs() }
        }
        var unknown = bytes
        unknown[3] = 200  // the first opcode
        var reader2 = ManifestReader(bytes: unknown)
        #expect(throws: DeltaError.self) { try reader2.programs() }
    }

    /// `Fixtures/deltas/keras-adam-10-11.v1.delta` was written by the version 1 writer (commit
    /// cc098ca) with its two Adam prediction kinds: it still rebuilds ckpt-11 byte for byte.
    @Test func version1DeltasStillApply() throws {
        let directory = TemporaryDirectory()
        let delta = try DeltaFile(path: Fixtures.path("deltas/keras-adam-10-11.v1.delta"))
        let levels = delta.manifest.files.flatMap(\.runs).compactMap { run -> Int? in
            if case .predicted(_, _, _, let prediction, _) = run { return prediction.level }
            return nil
        }
        #expect(Set(levels) == [1, 2])
        try DeltaApplier().apply(
            delta: delta.path, base: Fixtures.path("tf2_keras_adam/ckpt-10"), into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(Fixtures.path("tf2_keras_adam/ckpt-11")))
    }
}
