import FixtureSupport
import MappedIO
import TensorBundle
import Testing

@testable import CheckpointCLI

/// A failure travels as its own typed error to the one place that prints it: what the tool
/// decides on itself is a ``ToolError`` with a code, what a file system refuses stays a
/// ``FileError`` with its errno; either way the line names the file and the cause, and the
/// status is 2.
struct FailureLineTests {
    @Test func whatAToolDecidesCarriesItsCode() throws {
        let directory = TemporaryDirectory()
        let missing = directory.path("nothing-here")
        #expect {
            try CheckpointLocator.layout(of: missing)
        } throws: { error in
            (error as? ToolError)?.code == .notFound && "\(error)".contains(missing)
        }
        let foreign = directory.path("model.safetensors")
        TestFiles.write(Array("{\"__metadata__\":{}}".utf8), to: foreign)
        #expect {
            try CheckpointLocator.layout(of: foreign)
        } throws: { error in
            (error as? ToolError)?.code == .unsupported && "\(error)".contains(foreign)
        }
        #expect {
            try CheckpointLocator.prefix(in: Fixtures.path("tf2_keras_adam"), step: 999)
        } throws: { error in
            (error as? ToolError)?.code == .notFound && "\(error)".contains("step 999")
        }
    }

    @Test func whatTheFileSystemRefusesKeepsItsErrno() throws {
        let long = "/tmp/" + String(repeating: "a", count: 300)
        #expect {
            try CheckpointLocator.layout(of: long)
        } throws: { error in
            (error as? FileError)?.code == .nameTooLong && "\(error)".contains(long)
        }
    }

    /// The printed line of each class of failure: one line on standard error naming the path
    /// or argument (`names`) and saying the cause, exit status 2. `@` stands for the fixtures.
    static let failures: [(arguments: [String], names: String, cause: String)] = [
        (["ckptverify", "/tmp/" + String(repeating: "b", count: 300)], "bbbb", "name too long"),
        (["ckptverify", "/nonexistent/ckpt"], "/nonexistent/ckpt", "no such checkpoint"),
        (["ckptverify", "--part", "3/2", "@/tf2_keras_adam"], "--part 3/2", "expected I/N"),
        (["ckptverify", "--show", "no/such", "@/tf2_keras_adam/ckpt-1"], "ckpt-1", "no variable no/such"),
        (["ckptdiff", "--include", "(", "@/tf2_keras_adam/ckpt-1", "@/tf2_keras_adam/ckpt-2"], "(", "bad regular expression"),
        (["ckptdiff", "@/tf2_keras_adam@999", "@/tf2_keras_adam/ckpt-2"], "tf2_keras_adam", "no checkpoint of step 999"),
    ]

    @Test(arguments: failures.indices)
    func eachFailurePrintsOneLineWithItsCause(index: Int) throws {
        let (arguments, names, cause) = Self.failures[index]
        let resolved = arguments.dropFirst().map { $0.replacingOccurrences(of: "@/", with: Fixtures.path("")) }
        let result = try ToolRunner.run(arguments[0], Array(resolved))
        let lines = result.standardError.split(separator: "\n")
        #expect(result.signal == nil && result.status == 2 && lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.contains(cause) == true && lines.first?.contains(names) == true, "\(result.standardError)")
    }
}

/// Figures in the summary line mean what they say: a throughput only where enough was read for
/// it to measure the reading rather than the timer.
struct SummaryFigureTests {
    @Test func aRateIsPrintedOnlyOverEnoughBytes() throws {
        let small = try ToolRunner.run("ckptverify", [Fixtures.path("tf2_keras_adam/ckpt-1")])
        #expect(small.status == 0 && small.standardOutput.contains(" checked in ") && !small.standardOutput.contains("GB/s"))
        let directory = TemporaryDirectory()
        var writer = try BundleWriter(prefix: directory.path("large"))
        try writer.add("t", dtype: .uint8, shape: TensorShape([80 << 20]), bytes: [UInt8](repeating: 7, count: 80 << 20))
        try writer.finish()
        let large = try ToolRunner.run("ckptverify", [directory.path("large")])
        #expect(large.status == 0 && large.standardOutput.contains(" GB/s)"), "\(large.standardOutput)")
    }
}
