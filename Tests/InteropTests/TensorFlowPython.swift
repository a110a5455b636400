import FixtureSupport
import Foundation
import Testing

/// Real TensorFlow, through the Python named by `CKPT_TF_PYTHON` (`scripts/test` creates a
/// virtualenv with `tensorflow-cpu` and sets it).
enum TensorFlowPython {
    /// Whether the environment names the Python (`scripts/test` always does).
    static var named: Bool { ProcessInfo.processInfo.environment["CKPT_TF_PYTHON"] != nil }

    static func python() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["CKPT_TF_PYTHON"],
            "set CKPT_TF_PYTHON to a Python with tensorflow-cpu and xxhash (scripts/test does)")
    }

    /// Runs `Fixtures/generate.py` with `arguments` and returns its standard output.
    static func generate(_ arguments: [String]) throws -> Data {
        let result = try ToolRunner.launch(
            URL(fileURLWithPath: try python()), [Fixtures.path("generate.py")] + arguments, timeLimit: 1800,
            environment: ["TF_CPP_MIN_LOG_LEVEL": "3"])
        try #require(result.status == 0 && result.signal == nil, "generate.py \(arguments) exited with \(result.status)")
        return Data(result.standardOutput.utf8)
    }

    /// TensorFlow's view of the checkpoints at `prefixes` (`tf.train.load_checkpoint`).
    static func describe(_ prefixes: [String]) throws -> [Fixtures.Checkpoint] {
        let json = try JSONSerialization.jsonObject(with: try generate(["--describe"] + prefixes)) as! [[String: Any]]
        return json.map(Fixtures.checkpoint)
    }
}
