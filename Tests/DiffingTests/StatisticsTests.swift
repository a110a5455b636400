import Diffing
import FixtureSupport
import TensorBundle
import Testing

/// Every statistic against the values numpy computed from TensorFlow's reader.
@Suite struct StatisticsTests {
    /// The statistics of a variable as ckptdiff names them.
    static func named(_ variable: VariableDiff) -> [String: Double?] {
        guard let s = variable.statistics else { return [:] }
        var values: [String: Double?] = ["changed": Double(s.changed), "changed_fraction": s.changedFraction]
        guard variable.numeric else { return values }
        values.merge([
            "max_abs_diff": s.maxAbsDiff, "mean_abs_diff": s.meanAbsDiff, "rms_diff": s.rmsDiff, "l2_a": s.l2A, "l2_b": s.l2B,
            "rel_l2": s.relativeL2, "cosine": s.cosine, "nan_a": Double(s.nanA), "nan_b": Double(s.nanB),
            "inf_a": Double(s.infA), "inf_b": Double(s.infB),
        ]) { $1 }
        return values
    }

    /// Checks a report against numpy's, variable by variable and statistic by statistic.
    static func check(_ report: DiffReport, against expected: ExpectedDiff) {
        #expect(report.variables.map(\.name) == expected.variables.map(\.name))
        for (ours, theirs) in zip(report.variables, expected.variables) {
            guard let status = theirs.status else { continue }
            #expect(ours.status.rawValue == status, "\(theirs.name)")
            if status == "identical" {
                // numpy's report stops at equality; ours measures identical weights' norms too.
                #expect(ours.statistics.map { $0.changed == 0 && $0.maxAbsDiff == 0 } ?? true, "\(theirs.name)")
                continue
            }
            let computed = named(ours)
            #expect(Set(computed.keys) == Set(theirs.statistics.keys), "\(theirs.name): \(computed.keys.sorted())")
            for (statistic, value) in theirs.statistics {
                let mine = computed[statistic] ?? nil
                #expect(
                    ExpectedDiff.agree(mine, value),
                    "\(theirs.name).\(statistic): ours \(String(describing: mine)), numpy \(String(describing: value))")
            }
        }
    }

    @Test(arguments: ExpectedDiff.fixtures)
    func matchesNumpy(_ expected: ExpectedDiff) throws {
        let a = try CheckpointBundle(prefix: Fixtures.path(expected.a))
        let b = try CheckpointBundle(prefix: Fixtures.path(expected.b))
        Self.check(try CheckpointDiffer().compare(a, b), against: expected)
    }

    /// Tiny chunks and many workers give the same statistics (up to summation order).
    @Test func chunkingDoesNotChangeResults() throws {
        let expected = ExpectedDiff.fixtures.first { $0.a == "tf2_keras_adam/ckpt-1" }!
        var differ = CheckpointDiffer()
        differ.chunkBytes = 64
        differ.jobs = 3
        Self.check(
            try differ.compare(CheckpointBundle(prefix: Fixtures.path(expected.a)), CheckpointBundle(prefix: Fixtures.path(expected.b))),
            against: expected)
    }
}

@Suite struct DifferBehaviourTests {
    /// Identical variables are found equal without decoding; identical weights are decoded
    /// for their norms all the same, which the headline figure divides by.
    @Test func identicalCheckpointsAreIdentical() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo"))
        let report = try CheckpointDiffer().compare(bundle, bundle)
        #expect(report.identical)
        #expect(report.variables.allSatisfy { $0.status == .identical })
        #expect(report.variables.filter(\.numeric).allSatisfy { $0.statistics?.changed == 0 && $0.statistics?.relativeL2 ?? 0 == 0 })
        #expect(report.weights.l2A > 0 && report.weightsRelativeChange == 0)
        let bookkeeping = VariablePair.byKey(bundle, bundle).map {
            VariablePair(name: $0.name, a: $0.a, b: $0.b, role: .bookkeeping, layer: nil)
        }
        #expect(try CheckpointDiffer().compare(bundle, bundle, pairs: bookkeeping).variables.allSatisfy { $0.statistics == nil })
    }

    @Test func tolerancesFollowNumpyAllclose() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        let b = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-11"))
        var differ = CheckpointDiffer()
        differ.tolerance = .init(absolute: 1e-8, relative: 1e-5)
        #expect(!(try differ.compare(a, b).withinTolerance))
        differ.tolerance = .init(absolute: 1.5, relative: 0)
        #expect(try differ.compare(a, b).withinTolerance)  // the step counter moves by 1
        differ.tolerance = .init(absolute: 0.5, relative: 0)
        let report = try differ.compare(a, b)
        #expect(
            report.variables.filter { !$0.within(report.tolerance) }.map(\.name).allSatisfy {
                $0.contains("iterations") || $0.contains("save_counter")
            })
    }

    @Test func nanIsNeverCloseAndInfOnlyToItself() {
        var statistics = DiffStatistics()
        let tolerance = (absolute: 1.0, relative: 0.0)
        statistics.add(.nan, .nan, tolerance: tolerance)
        statistics.add(.infinity, .infinity, tolerance: tolerance)
        statistics.add(.infinity, -.infinity, tolerance: tolerance)
        statistics.add(1, 1.5, tolerance: tolerance)
        #expect(statistics.outsideTolerance == 2)
        #expect(statistics.changed == 2)
        #expect(statistics.finite == 1)
        #expect(statistics.nanA == 1 && statistics.nanB == 1 && statistics.infA == 2 && statistics.infB == 2)
    }

    @Test func withoutToleranceChangedValuesAreNotWithinOne() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        let b = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-11"))
        let report = try CheckpointDiffer().compare(a, b)
        #expect(!report.identical && !report.withinTolerance)
        #expect(try CheckpointDiffer().compare(a, a).withinTolerance)
    }

    /// Changed rows are counted once however the chunks cut them (rows of 20 bytes here).
    @Test func changedRowsDoNotDependOnChunking() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo"))
        let b = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo_b"))
        for chunkBytes in [4, 8, 12, 24, 64, 4 << 20] {
            var differ = CheckpointDiffer()
            differ.chunkBytes = chunkBytes
            let report = try differ.compare(a, b)
            let rows = try #require(report.variables.first { $0.name == "float32" }?.rows)
            #expect(rows.rows == 3 && rows.changed == 2 && rows.strip == [1, 1, 0] && rows.rowsPerBand == 1, "chunks of \(chunkBytes)")
            #expect(report.variables.first { $0.name == "float16" }?.rows?.changed == 3)
            #expect(report.variables.first { $0.name == "complex64" }?.rows == nil)  // 1-D
        }
    }

    @Test func comparesOnlyThePairsGiven() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        let pairs = VariablePair.byKey(a, a).filter { $0.name.hasPrefix("optimizer/_variables/") }
        #expect(pairs.count == 12)
        #expect(try CheckpointDiffer().compare(a, a, pairs: pairs).variables.map(\.name) == pairs.map(\.name))
    }

    /// The headline figure is the weights' alone: the optimizer state and the counters have their own.
    @Test func weightsAndOptimizerStateAreSeparateFigures() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        let b = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-11"))
        let pairs = VariablePair.byKey(a, b).map { pair in
            // Keras 3 stores the weights under `optimizer/_trainable_variables/`, its slots under `optimizer/_variables/`.
            let optimizer = pair.name.hasPrefix("optimizer/_variables/") || pair.name.hasPrefix("optimizer/_learning_rate/")
            return VariablePair(name: pair.name, a: pair.a, b: pair.b, role: optimizer ? .optimizer : .weight, layer: nil)
        }
        let report = try CheckpointDiffer().compare(a, b, pairs: pairs)
        var weights = DiffStatistics()
        for variable in report.variables where variable.role == .weight && variable.isFloatingPoint { weights.merge(variable.statistics!) }
        #expect(report.weightsRelativeChange == weights.relativeL2)
        let numpy = try #require(ExpectedDiff.fixtures.first { $0.a == "tf2_keras_adam/ckpt-10" && $0.b == "tf2_keras_adam/ckpt-11" })
        #expect(ExpectedDiff.agree(report.weightsRelativeChange, numpy.weightsRelativeChange))
        #expect(ExpectedDiff.agree(report.optimizerRelativeChange, numpy.optimizerRelativeChange))
        #expect(report.weights.count == weights.count && weights.count > 0)
        #expect(report.optimizerRelativeChange != nil && report.optimizerRelativeChange != report.weightsRelativeChange)
    }

    /// Progress covers both passes, planned before either runs: the byte comparison and the
    /// statistics of what differs and of what needs norms.
    @Test func progressIsPlannedThenDone() throws {
        for (a, b) in [("tf2_keras_adam/ckpt-10", "tf2_keras_adam/ckpt-11"), ("dtypes/zoo", "dtypes/zoo")] {
            let recorder = ProgressRecorder()
            var differ = CheckpointDiffer()
            differ.chunkBytes = 256
            differ.progress = recorder.progress
            _ = try differ.compare(CheckpointBundle(prefix: Fixtures.path(a)), CheckpointBundle(prefix: Fixtures.path(b)))
            #expect(recorder.planned > 0 && recorder.done == recorder.planned && !recorder.ranAhead, "\(a) → \(b)")
        }
    }
}
