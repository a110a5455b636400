import Foundation
import Glibc

/// A child process started with posix_spawn(3), for the tests: Foundation's `Process.run()` on
/// Linux over-reads `/proc/self/fd` entries and crashes the test runner now and then
/// (swift-corelibs-foundation#5472, fixed after Swift 6.3.1), so the tests start tools here.
public struct SpawnedProcess: Sendable {
    public let pid: pid_t
    /// The read ends of the child's standard output and error, when they were captured.
    let output: Int32?
    let error: Int32?

    /// Starts `path` with `arguments` (after `argv[0]`) and `environment`; with `capture`, its
    /// standard output and error go to pipes read by ``finish(timeLimit:)``, else to /dev/null.
    public init(_ path: String, _ arguments: [String], environment: [String: String], capture: Bool) throws {
        // Pipes are made close-on-exec and the child spawned under one lock, so no other child
        // inherits a pipe end in between (which would hold a reader's end-of-file back).
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipes: [(read: Int32, write: Int32)] = []
        if capture {
            for target in [STDOUT_FILENO, STDERR_FILENO] {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                pipes.append((ends[0], ends[1]))
                posix_spawn_file_actions_adddup2(&actions, ends[1], target)
            }
        } else {
            for target in [STDOUT_FILENO, STDERR_FILENO] {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, envp)
        for ends in pipes { close(ends.write) }
        guard status == 0 else {
            for ends in pipes { close(ends.read) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        self.pid = pid
        self.output = pipes.first?.read
        self.error = pipes.last?.read
    }

    private static let spawning = NSLock()

    /// Sends `signal` to the child.
    public func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// Waits for the child to end: its exit status, or the signal that ended it.
    public func wait() -> (status: Int32, signal: Int32?) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? ((status >> 8) & 0xff, nil) : (signal, signal)
    }

    /// Reads the captured output and error to their ends, sending SIGTERM once `timeLimit`
    /// seconds have passed, then waits for the child.
    func finish(timeLimit: Double) -> (output: [UInt8], error: [UInt8], status: Int32, signal: Int32?, timedOut: Bool) {
        var collected: [Int32: [UInt8]] = [:]
        var open = [output, error].compactMap { $0 }
        let deadline = Date().addingTimeInterval(timeLimit)
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !open.isEmpty {
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 && !timedOut {
                timedOut = true
                kill(SIGTERM)
            }
            let ready = poll(&polled, nfds_t(polled.count), timedOut ? -1 : Int32(min(remaining, 1) * 1000) + 1)
            guard ready > 0 else { continue }
            for entry in polled where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[entry.fd, default: []] += buffer[0..<count]
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        let ended = wait()
        return (collected[output ?? -1] ?? [], collected[error ?? -1] ?? [], ended.status, ended.signal, timedOut)
    }
}
