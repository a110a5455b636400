import FixtureSupport
import Foundation
import TensorBundle
import Testing

/// Well-framed indexes (valid block CRCs, sorted keys) whose records hold extreme values: every
/// tool must end with exit status 1 or 2 and clear lines on standard error, never a trap, a
/// hang or an output file.
@Suite struct HostileIndexTests {
    typealias Case = HostileCheckpoint.Case
    static let cases = HostileCheckpoint.cases

    /// What each tool must do with the damaged checkpoint `damaged` (a copy of `good`'s source).
    static func expectRefused(_ damaged: String, good: String, in directory: TemporaryDirectory) throws {
        let name = URL(fileURLWithPath: damaged).lastPathComponent
        let runs: [(tool: String, arguments: [String], statuses: Set<Int32>, oneLine: Bool)] = [
            ("ckptverify", [damaged], [1], false),
            ("ckptverify", ["--structure-only", damaged], [1], false),
            ("ckptverify", ["--list", damaged], [1, 2], false),
            ("ckptverify", ["--list", "--json", damaged], [1, 2], false),
            ("ckptdiff", [damaged, damaged], [2], true),
            ("ckptdiff", [good, damaged], [2], true),
            ("ckptdiff", [damaged, good], [2], true),
            ("ckptdelta", ["create", good, damaged, "-o", directory.path("d1")], [2], true),
            ("ckptdelta", ["create", damaged, good, "-o", directory.path("d2")], [2], true),
            ("ckptdelta", ["create", "--no-base", damaged, "-o", directory.path("d3")], [2], true),
        ]
        for run in runs {
            let result = try ToolRunner.run(run.tool, run.arguments, timeLimit: 60)
            let context = "\(run.tool) \(run.arguments.joined(separator: " ")): status \(result.status), \(result.standardError)"
            #expect(result.signal == nil && !result.timedOut, "\(context)")
            #expect(run.statuses.contains(result.status), "\(context)")
            let lines = result.standardError.split(separator: "\n")
            if run.statuses != [1] {
                #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("\(run.tool): ") }, "\(context)")
            }
            if run.oneLine {
                #expect(lines.count == 1 && lines[0].contains(name), "\(context)")
            }
        }
        for output in ["d1", "d2", "d3"] {
            #expect(!FileManager.default.fileExists(atPath: directory.path(output)), "\(output) was written")
        }
    }

    @Test(arguments: cases) func extremeRecordValues(_ hostile: Case) throws {
        let directory = TemporaryDirectory()
        let copy = directory.path("copy")
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        let damaged = try HostileCheckpoint.make(from: Fixtures.path(hostile.source), in: copy, edit: hostile.edit)
        try Self.expectRefused(damaged, good: Fixtures.path(hostile.source), in: directory)
    }

    /// A tensor whose bytes fail their checksum behind a sound index: listed, but refused by
    /// the diff and by `create` unless `--allow-damaged`, which stores the damage faithfully.
    @Test func damagedBytesAreNotData() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let good = Fixtures.path("tf2_keras_adam/ckpt-10")
        let damaged = run + "/ckpt-11"
        var bytes = TestFiles.read(damaged + ".data-00000-of-00001")
        bytes[100] ^= 0x04
        TestFiles.write(bytes, to: damaged + ".data-00000-of-00001")
        #expect(try ToolRunner.run("ckptverify", ["--list", damaged]).status == 0)
        let diff = try ToolRunner.run("ckptdiff", [good, damaged])
        #expect(diff.status == 2 && diff.standardError.contains("checksum does not match"), "\(diff.standardError)")
        #expect(diff.standardOutput.isEmpty)
        let refused = try ToolRunner.run("ckptdelta", ["create", good, damaged, "-o", directory.path("d")])
        #expect(refused.status == 2 && refused.standardError.contains("damaged input"), "\(refused.standardError)")
        let stored = try ToolRunner.run("ckptdelta", ["create", "--allow-damaged", good, damaged, "-o", directory.path("d")])
        #expect(stored.status == 0, "\(stored.standardError)")
        let applied = try ToolRunner.run("ckptdelta", ["apply", good, directory.path("d"), "-o", directory.path("out")])
        #expect(applied.status == 0, "\(applied.standardError)")
        #expect(TestFiles.read(directory.path("out/ckpt-11.data-00000-of-00001")) == bytes)
        TestFiles.write(Array(bytes.prefix(4000)), to: damaged + ".data-00000-of-00001")
        let truncated = try ToolRunner.run("ckptdelta", ["create", "--allow-damaged", good, damaged, "-o", directory.path("e")])
        #expect(truncated.status == 2 && truncated.standardError.contains("past the end"), "\(truncated.standardError)")
    }

    /// Indexes that are empty, cut short, garbage or with a flipped key byte (block CRCs no
    /// longer hold): refused by the diff and `create`, reported by `--list`, never an empty
    /// checkpoint diffed as if it were one.
    @Test func damagedIndexesAreNeverEmptyCheckpoints() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let good = run + "/ckpt-10"
        let damaged = run + "/ckpt-11"
        let original = TestFiles.read(damaged + ".index")
        var flipped = original
        flipped[40] ^= 0x20
        var generator = SystemRandomNumberGenerator()
        let variants: [(String, [UInt8])] = [
            ("empty", []), ("cut to 10 bytes", Array(original.prefix(10))), ("cut in half", Array(original.prefix(original.count / 2))),
            ("garbage", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }), ("a flipped key byte", flipped),
        ]
        for (description, bytes) in variants {
            TestFiles.write(bytes, to: damaged + ".index")
            for arguments in [[damaged, damaged], [good, damaged]] {
                let diff = try ToolRunner.run("ckptdiff", arguments)
                #expect(
                    diff.status == 2 && diff.standardError.contains("ckpt-11.index") && diff.standardOutput.isEmpty,
                    "\(description): \(diff.standardError)")
            }
            let listed = try ToolRunner.run("ckptverify", ["--list", damaged])
            #expect(listed.status == 1 && listed.standardError.contains("ckpt-11.index"), "\(description): \(listed.standardError)")
            let created = try ToolRunner.run("ckptdelta", ["create", good, damaged, "-o", directory.path("d")])
            #expect(
                created.status == 2 && created.standardError.split(separator: "\n").count == 1, "\(description): \(created.standardError)")
        }
    }

    /// Tolerances must be finite and non-negative: `--atol nan` would make every comparison pass.
    @Test func tolerancesMustBeFiniteAndNonNegative() throws {
        let a = Fixtures.path("tf2_keras_adam/ckpt-10")
        let b = Fixtures.path("tf2_keras_adam/ckpt-11")
        for option in [["--atol", "nan"], ["--rtol", "inf"], ["--atol=-1"], ["--rtol=-0.5"]] {
            let result = try ToolRunner.run("ckptdiff", option + [a, b])
            #expect(result.status == 2 && result.standardError.contains("must be a finite number"), "\(option): \(result.standardError)")
        }
        #expect(try ToolRunner.run("ckptdiff", ["--atol", "1e9", a, b]).status == 0)
    }
}
