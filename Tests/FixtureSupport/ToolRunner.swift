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

    /// Runs `executable` with `arguments` and waits for it, sending SIGTERM after `timeLimit`
    /// seconds; `environment` adds to (or, with a nil value, removes from) the test's own.
    public static func launch(
        _ executable: URL, _ arguments: [String], timeLimit: Double, environment: [String: String?] = [:]
    ) throws -> Result {
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        let child = try SpawnedProcess(executable.path, arguments, environment: merged, capture: true)
        let ended = child.finish(timeLimit: timeLimit)
        return Result(
            status: ended.status, standardOutput: String(decoding: ended.output, as: UTF8.self),
            standardError: String(decoding: ended.error, as: UTF8.self), signal: ended.signal, timedOut: ended.timedOut)
    }

    /// Starts `tool` without waiting for it, its output discarded (to kill it mid-work).
    public static func start(_ tool: String, _ arguments: [String]) throws -> SpawnedProcess {
        try SpawnedProcess(
            productsDirectory.appendingPathComponent(tool).path, arguments, environment: ProcessInfo.processInfo.environment,
            capture: false)
    }

    /// The JSON object a tool printed.
    public static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }
}
