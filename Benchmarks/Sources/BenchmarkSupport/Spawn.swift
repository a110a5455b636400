import Glibc

/// Runs child processes directly (posix_spawn + wait4), so that each run's wall time and
/// peak resident set are its own.
public enum Spawn {
    public struct Run: Sendable {
        public let seconds: Double
        /// The child's peak resident set, in bytes.
        public let peakRSS: Int

        public init(seconds: Double, peakRSS: Int) {
            self.seconds = seconds
            self.peakRSS = peakRSS
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `arguments[0]` (a path) with standard output sent to /dev/null, or to `output` when given.
    public static func run(_ arguments: [String], output: String = "/dev/null") throws -> Run {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Clock.now()
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw Failure(description: "\(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        _ = wait4(pid, &status, 0, &usage)
        let seconds = Clock.now() - start
        guard status == 0 else { throw Failure(description: "\(arguments.joined(separator: " ")) exited with status \(status)") }
        return Run(seconds: seconds, peakRSS: usage.ru_maxrss * 1024)
    }

    /// The fastest of `runs` runs, with the largest peak resident set seen.
    public static func best(of runs: Int, _ arguments: [String], output: String = "/dev/null") throws -> Run {
        var results: [Run] = []
        for _ in 0..<runs { results.append(try run(arguments, output: output)) }
        return Run(seconds: results.map(\.seconds).min()!, peakRSS: results.map(\.peakRSS).max()!)
    }
}
