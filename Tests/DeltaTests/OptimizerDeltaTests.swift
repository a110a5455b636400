import Delta
import FixtureSupport
import Foundation
import MappedIO
import TensorBundle
import Testing
import TrainingState

/// Deltas of real training runs, one per optimizer (`Fixtures/optimizers/`, steps 30, 31, 50):
/// between consecutive steps the tensors the update rule determines are encoded against their
/// predictions and cost next to nothing; every delta rebuilds its target byte for byte; a
/// prediction never makes a delta larger than encoding against the base alone.
struct OptimizerDeltaTests {
    /// What each run's consecutive delta must predict: the weight (`weight`) or slots by name.
    static let predicted: [String: Set<String>] = [
        "sgd_momentum": ["weight"], "sgd_nesterov": ["weight"], "lion": ["weight"], "tf1_momentum": ["weight"],
        "rmsprop": ["velocity"], "loss_scaled_rmsprop": ["velocity"], "rmsprop_momentum": ["weight", "velocity"],
        "rmsprop_centered": ["weight", "velocity"], "rmsprop_centered_momentum": ["weight", "velocity", "momentum"],
        "tf1_rmsprop": ["weight", "rms"],
        "adagrad": ["accumulator"], "tf1_adagrad": ["accumulator"],
        "adam": ["weight", "velocity"], "adamw": ["weight", "velocity"], "nadam": ["weight", "velocity"],
        "adamax": ["weight", "norm"], "tf1_adam": ["weight", "v"],
    ]

    /// Runs under a learning-rate schedule (`Fixtures/optimizer_runs.py`'s `SCHEDULED`), by
    /// their optimizer's run at a constant rate: the rate in force is not a round number and a
    /// Keras checkpoint does not store it, yet each must be predicted as well.
    static let scheduled: [String: String] = [
        "sgd_momentum_cosine": "sgd_momentum", "sgd_nesterov_exponential": "sgd_nesterov", "lion_cosine": "lion",
        "tf1_momentum_exponential": "tf1_momentum", "rmsprop_exponential": "rmsprop",
        "loss_scaled_rmsprop_exponential": "loss_scaled_rmsprop", "rmsprop_momentum_warmup": "rmsprop_momentum",
        "rmsprop_centered_polynomial": "rmsprop_centered", "rmsprop_centered_momentum_cosine": "rmsprop_centered_momentum",
        "tf1_rmsprop_exponential": "tf1_rmsprop", "adagrad_inverse_time": "adagrad", "tf1_adagrad_cosine": "tf1_adagrad",
        "adam_exponential": "adam", "adam_piecewise": "adam", "adamw_cosine": "adamw", "nadam_cosine": "nadam",
        "adamax_warmup": "adamax", "tf1_adam_cosine": "tf1_adam",
    ]

    /// Every run: one per optimizer at a constant rate, and the scheduled ones.
    static let runs = Array(predicted.keys) + Array(scheduled.keys)

    /// What the consecutive delta of `run` must predict.
    static func expected(_ run: String) -> Set<String>? { predicted[scheduled[run] ?? run] }

    /// The size of the consecutive delta of `run` (steps 30 and 31) over its target's.
    static func consecutiveRatio(_ run: String) throws -> Double {
        let directory = TemporaryDirectory()
        let steps = try steps(run)
        try DeltaCreator().create(base: steps[0], target: steps[1], output: directory.path("d"))
        let target = try TestFiles.checkpoint(steps[1]).values.reduce(0) { $0 + $1.count }
        return Double(try MappedFile(path: directory.path("d")).count) / Double(target)
    }

    /// The run's three checkpoints, in step order.
    static func steps(_ run: String) throws -> [String] {
        let folder = Fixtures.path("optimizers/" + run)
        let prefixes = try FileSystem.contents(ofDirectory: folder).filter { $0.hasSuffix(".index") }.map { folder + "/" + $0.dropLast(6) }
        return prefixes.sorted { Int($0.split(separator: "-").last!)! < Int($1.split(separator: "-").last!)! }
    }

    @Test(arguments: runs.sorted())
    func consecutiveStepsArePredicted(run: String) throws {
        let directory = TemporaryDirectory()
        let steps = try Self.steps(run)
        #expect(steps.count == 3)
        let manifest = try DeltaCreator().create(base: steps[0], target: steps[1], output: directory.path("d"))
        try DeltaApplier().apply(delta: directory.path("d"), base: steps[0], into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(steps[1]))

        // Every kernel's predicted members, by role.
        let state = TrainingState(bundle: try CheckpointBundle(prefix: steps[1]))
        var roles: [String: Set<String>] = [:]
        for case .predicted(_, _, _, _, let key) in manifest.files.flatMap(\.runs) {
            guard let variable = state.variables[key] else { continue }
            let owner = variable.slotOf ?? key
            if case .slot(_, let name) = variable.role {
                roles[owner, default: []].insert(name)
            } else {
                roles[owner, default: []].insert("weight")
            }
        }
        let kernels = state.variables.values.filter { $0.role == .weight && $0.name.hasSuffix("kernel") }
        #expect(kernels.count == 3)
        for kernel in kernels {
            #expect(roles[kernel.key] == Self.expected(run), "\(run) \(kernel.name): \(roles[kernel.key] ?? [])")
        }
        var plain = DeltaCreator()
        plain.predictions = false
        try plain.create(base: steps[0], target: steps[1], output: directory.path("plain"))
        let sizes = try ["d", "plain"].map { try MappedFile(path: directory.path($0)).count }
        #expect(Double(sizes[0]) < 0.8 * Double(sizes[1]), "\(run): \(sizes[0]) bytes with predictions, \(sizes[1]) without")
    }

    /// Under a schedule the rate is estimated from the tensors and found exactly: the delta is
    /// as small as at the constant rate (the stored gradient information differs a little).
    @Test(arguments: scheduled.keys.sorted())
    func scheduledStepsCompressAsAtAConstantRate(run: String) throws {
        let scheduled = try Self.consecutiveRatio(run), constant = try Self.consecutiveRatio(Self.scheduled[run]!)
        #expect(scheduled <= constant + 0.02, "\(run): \(scheduled) of the target, \(constant) at a constant rate")
    }

    /// Steps 30 and 50: nothing is predictable across 19 unseen gradients; the planner's samples
    /// say so and the delta is what encoding against the base gives.
    @Test(arguments: runs.sorted())
    func distantStepsRoundTripNoLarger(run: String) throws {
        let directory = TemporaryDirectory()
        let steps = try Self.steps(run)
        try DeltaCreator().create(base: steps[0], target: steps[2], output: directory.path("d"))
        try DeltaApplier().apply(delta: directory.path("d"), base: steps[0], into: directory.path("out"))
        #expect(try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(steps[2]))
        var plain = DeltaCreator()
        plain.predictions = false
        try plain.create(base: steps[0], target: steps[2], output: directory.path("plain"))
        let sizes = try ["d", "plain"].map { try MappedFile(path: directory.path($0)).count }
        #expect(sizes[0] <= sizes[1] + 16, "\(run): \(sizes[0]) bytes with predictions, \(sizes[1]) without")
    }
}

/// The optimizer's scalars are read from the checkpoints to build predictions: extreme values
/// there (a damaged checkpoint stored with `allowDamagedData`) must neither crash the planner
/// nor break the round trip.
struct HostileOptimizerStateTests {
    /// Overwrites the stored bytes of every scalar whose key contains `fragment` in the data file of `prefix`.
    static func patch(_ prefix: String, _ fragment: String, with bytes: [UInt8]) throws {
        let bundle = try CheckpointBundle(prefix: prefix)
        let path = prefix + ".data-00000-of-00001"
        var data = TestFiles.read(path)
        for record in bundle.records where String(decoding: record.key, as: UTF8.self).contains(fragment) {
            guard case .success(let entry) = record.entry, entry.shape.rank == 0, Int(entry.size) == bytes.count else { continue }
            data.replaceSubrange(Int(entry.offset)..<(Int(entry.offset) + bytes.count), with: bytes)
        }
        try FileManager.default.removeItem(atPath: path)
        TestFiles.write(data, to: path)
    }

    static let counters: [Int64] = [.max, .min, -1, 1 << 40]
    static let rates: [Float] = [.nan, .infinity, 0, -1e30, .leastNonzeroMagnitude]

    @Test(arguments: ["adam", "nadam", "adamax", "tf1_adam", "tf1_rmsprop", "adagrad", "adamw_cosine", "lion_cosine"])
    func extremeScalarsRoundTrip(run: String) throws {
        for (counter, rate) in zip(Self.counters + Self.counters, Self.rates + Self.rates) {
            let directory = TemporaryDirectory()
            let folder = directory.copy(fixture: "optimizers/" + run)
            let steps = try OptimizerDeltaTests.steps(run).map { folder + "/" + ($0 as NSString).lastPathComponent }
            for prefix in steps.prefix(2) {
                try Self.patch(prefix, "iteration", with: withUnsafeBytes(of: counter.littleEndian) { Array($0) })
                try Self.patch(prefix, "global_step", with: withUnsafeBytes(of: counter.littleEndian) { Array($0) })
                for fragment in ["learning_rate", "beta1_power", "beta2_power", "u_product"] {
                    try Self.patch(prefix, fragment, with: withUnsafeBytes(of: rate.bitPattern.littleEndian) { Array($0) })
                }
            }
            var creator = DeltaCreator()
            creator.inputCheck = .allowDamagedData
            try creator.create(base: steps[0], target: steps[1], output: directory.path("d"))
            try DeltaApplier().apply(delta: directory.path("d"), base: steps[0], into: directory.path("out"))
            #expect(
                try TestFiles.contents(ofDirectory: directory.path("out")) == TestFiles.checkpoint(steps[1]), "\(run) \(counter) \(rate)")
        }
    }
}
