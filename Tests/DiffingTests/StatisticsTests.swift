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
    @Test func identicalCheckpointsAreIdenticalWithoutDecoding() throws {
        let bundle = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo"))
        let report = try CheckpointDiffer().compare(bundle, bundle)
        #expect(report.identical)
        #expect(report.variables.allSatisfy { $0.status == .identical && $0.statistics == nil })
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
            report.variables.filter { !$0.withinTolerance }.map(\.name).allSatisfy {
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

    @Test func filtersSelectVariables() throws {
        let a = try CheckpointBundle(prefix: Fixtures.path("tf2_keras_adam/ckpt-10"))
        var differ = CheckpointDiffer()
        differ.selects = { $0.hasPrefix("optimizer/_variables/") }
        #expect(try differ.compare(a, a).variables.count == 12)
    }
}
