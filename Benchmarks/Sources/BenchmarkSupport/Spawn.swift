import Foundation
import Glibc

/// Runs child processes (posix_spawn + waitpid) so that each run's wall time and peak resident set
/// are its own. The peak is measured by GNU `time` (`/usr/bin/time -f %M`) between us and the
/// child: a child spawned straight from this process would report at least this process's own
/// peak (Linux carries the parent's resident high-water mark across `exec`), so a large
/// benchmark process would inflate every child's figure.
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
        let measured = "/tmp/ckpt-bench-rss-\(getpid())"
        defer { unlink(measured) }
        var argv = (["/usr/bin/time", "-f", "%M", "-o", measured] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Clock.now()
        let spawned = posix_spawn(&pid, "/usr/bin/time", &actions, nil, &argv, environ)
        guard spawned == 0 else { throw Failure(description: "/usr/bin/time: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        let seconds = Clock.now() - start
        guard status == 0 else { throw Failure(description: "\(arguments.joined(separator: " ")) exited with status \(status)") }
        guard let text = try? String(contentsOfFile: measured, encoding: .utf8),
            let kilobytes = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
        else { throw Failure(description: "\(arguments[0]): /usr/bin/time gave no peak resident set") }
        return Run(seconds: seconds, peakRSS: kilobytes * 1024)
    }

    /// The fastest of `runs` runs, with the largest peak resident set seen.
    public static func best(of runs: Int, _ arguments: [String], output: String = "/dev/null") throws -> Run {
        var results: [Run] = []
        for _ in 0..<runs { results.append(try run(arguments, output: output)) }
        return Run(seconds: results.map(\.seconds).min()!, peakRSS: results.map(\.peakRSS).max()!)
    }
}
