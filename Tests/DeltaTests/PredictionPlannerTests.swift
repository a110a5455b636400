import FixtureSupport
import TensorBundle
import Testing

@testable import Delta

/// How the planner samples a group: where a step touched only some rows of a tensor (a sparse
/// embedding update), the samples come from those rows, wherever they are.
struct PredictionPlannerTests {
    /// One Keras Adam step (lr 1e-3, step 5, defaults) on `count` elements whose gradient is
    /// zero where `touched` says not: those elements keep m = v = 0 and do not move.
    static func adamStep(count: Int, touched isTouched: (Int) -> Bool) -> [String: [Float]] {
        var generator = SystemRandomNumberGenerator()
        var tensors: [String: [Float]] = ["w0": [], "m0": [], "v0": [], "w1": [], "m1": [], "v1": []]
        let alpha = UpdateRules.adamAlphas(lr: 1e-3, step: 5, beta1: 0.9, beta2: 0.999)[0]
        for index in 0..<count {
            let touched = isTouched(index)
            let w0 = Float.random(in: -0.1...0.1, using: &generator)
            let m0: Float = touched ? .random(in: -0.01...0.01, using: &generator) : 0
            let v0: Float = touched ? .random(in: 0...1e-4, using: &generator) : 0
            let g: Float = touched ? .random(in: -0.05...0.05, using: &generator) : 0
            let m1 = m0 + (g - m0) * UpdateRules.complement(0.9, .keras)
            let v1 = v0 + (g * g - v0) * UpdateRules.complement(0.999, .keras)
            let w1 = w0 - (m1 * alpha) / (v1.squareRoot() + 1e-7)
            for (name, value) in [("w0", w0), ("m0", m0), ("v0", v0), ("w1", w1), ("m1", m1), ("v1", v1)] {
                tensors[name]!.append(value)
            }
        }
        return tensors
    }

    /// The planner's view of `tensors`: one file per tensor on each side, read in place.
    static func plan(_ tensors: [String: [Float]]) -> [[UInt8]: PlannedPrediction] {
        let files = ["w", "m", "v"]
        let bytes = tensors.mapValues { values in values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
        func location(_ name: String, _ side: TensorLocation.Source) -> TensorLocation {
            TensorLocation(source: side, file: files.firstIndex(of: name)!, offset: 0)
        }
        let members: [String?: PredictionPlanner.Group.Member] = [
            nil: .init(key: Array("w".utf8), base: location("w", .base), target: location("w", .target)),
            "momentum": .init(key: Array("m".utf8), base: location("m", .base), target: location("m", .target)),
            "velocity": .init(key: Array("v".utf8), base: location("v", .base), target: location("v", .target)),
        ]
        let planner = PredictionPlanner(
            context: RuleContext(floats: ["learning_rate": (1e-3, 1e-3)], counters: ["iterations": (4, 5)]),
            read: { location, count in
                let tensor = bytes[files[location.file] + (location.source == .base ? "0" : "1")]!
                return Array(tensor[location.offset..<(location.offset + count)])
            })
        return planner.plan([.init(members: members, size: bytes["w0"]!.count)])
    }

    @Test func rowsTouchedFarIntoTheTensorAreSampledAndPredicted() {
        // The first 1 MiB of each tensor did not change: a prefix sample would see nothing to predict.
        let plans = Self.plan(Self.adamStep(count: 400_000) { $0 >= 262_144 })
        #expect(plans[Array("w".utf8)] != nil, "the weight is predicted")
        #expect(plans[Array("v".utf8)] != nil, "the second moment is predicted")
        #expect(plans[Array("m".utf8)] == nil, "the first moment carries the gradient and is stored")
    }

    @Test func anUntouchedGroupIsNotPredicted() {
        let plans = Self.plan(Self.adamStep(count: 50_000) { _ in false })
        #expect(plans.isEmpty)
    }

    /// A sparsely updated embedding trained with Keras Adam, written as a Keras checkpoint
    /// would pair it (TF1 slot names, which the training state pairs without an object graph):
    /// the rows a step touched are predicted, the rest copied, and the delta rebuilds the
    /// target byte for byte.
    @Test func aSparselyUpdatedEmbeddingRoundTripsWithPredictedRows() throws {
        // 256-element rows, one in 200 touched.
        let tensors = Self.adamStep(count: 256 * 4_000) { ($0 / 256) % 200 == 7 }
        let directory = TemporaryDirectory()
        for (side, name) in [("0", "a"), ("1", "b")] {
            var writer = try BundleWriter(prefix: directory.path(name))
            for (key, tensor) in [("embedding", "w"), ("embedding/Adam", "m"), ("embedding/Adam_1", "v")] {
                let bytes = tensors[tensor + side]!.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
                try writer.add(key, dtype: .float32, shape: TensorShape([4_000, 256]), bytes: bytes)
            }
            try writer.add(
                "learning_rate", dtype: .float32, shape: TensorShape([]),
                bytes: withUnsafeBytes(of: Float(1e-3).bitPattern.littleEndian, Array.init))
            try writer.add(
                "iterations", dtype: .int64, shape: TensorShape([]),
                bytes: withUnsafeBytes(of: Int64(side == "0" ? 4 : 5).littleEndian, Array.init))
            try writer.finish()
        }
        let manifest = try DeltaCreator().create(base: directory.path("a"), target: directory.path("b"), output: directory.path("d"))
        for key in ["embedding", "embedding/Adam_1"] {
            let runs = manifest.files.flatMap(\.runs).filter { $0.name == key }
            #expect(runs.contains { if case .predicted = $0 { true } else { false } }, "\(key) is predicted where rows changed")
            #expect(runs.contains { if case .copy = $0 { true } else { false } }, "\(key) is copied where they did not")
        }
        try DeltaApplier().apply(delta: directory.path("d"), base: directory.path("a"), into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(directory.path("b")))
    }
}
