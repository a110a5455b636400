import Foundation

/// Runs one of the package's executables, built next to the test bundle.
public struct ToolRunner {
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
        /// The signal that ended the tool (a trap is SIGILL or SIGTRAP), or nil when it exited.
        public let signal: Int32?
        /// Whether the tool was killed for running past its time limit.
        public let timedOut: Bool
    }

    /// The build products folder (`.build/<config>/`), where `swift test` puts the tools.
    public static let productsDirectory: URL = {
        // On Linux the test runner is itself an executable in that folder.
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent()
    }()

    /// Runs `tool` with `arguments` and waits for it, killing it after `timeLimit` seconds;
    /// `environment` adds to (or, with a nil value, removes from) the test's own environment.
    public static func run(
        _ tool: String, _ arguments: [String], timeLimit: Double = 120, environment: [String: String?] = [:]
    ) throws -> Result {
        try launch(productsDirectory.appendingPathComponent(tool), arguments, timeLimit: timeLimit, environment: environment)
    }

    /// Runs `script` with `/bin/sh -c`, `$0`, `$1`, … being `arguments` (for arguments that
    /// Foundation's strings cannot hold, made by the shell).
    public static func runShell(_ script: String, _ arguments: String...) throws -> Result {
        try runShell(script, arguments)
    }

    /// Runs `script` with `shell -c`, `$0`, `$1`, … being `arguments` (redirections and pipes
    /// around a tool: `exec "$0" "$@" > /dev/full`).
    public static func runShell(_ script: String, _ arguments: [String], shell: String = "/bin/sh") throws -> Result {
        try launch(URL(fileURLWithPath: shell), ["-c", script] + arguments, timeLimit: 120)
    }

    private static func launch(
        _ executable: URL, _ arguments: [String], timeLimit: Double, environment: [String: String?] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value }
            process.environment = merged
        }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let expired = TimeLimit()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit) { [process] in
            if process.isRunning {
                expired.fire()
                process.terminate()
            }
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self),
            signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil, timedOut: expired.fired)
    }

    /// The JSON object a tool printed.
    public static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }
}

/// Whether a time limit ran out, set from the timer's queue.
private final class TimeLimit: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func fire() { lock.withLock { value = true } }

    var fired: Bool { lock.withLock { value } }
}
