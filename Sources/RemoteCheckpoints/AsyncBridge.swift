import Dispatch

/// Runs async work from synchronous callers: the calling thread waits while the work runs.
///
/// The work's jobs run on Dispatch's threads, not on Swift's cooperative pool, so a caller may
/// wait from any thread, a pool thread included (a synchronous test, a library user's task):
/// the waiting thread is never one the work needs.
enum AsyncBridge {
    private final class Outcome<Value: Sendable>: @unchecked Sendable {
        // Written once before `done` is signalled and read once after: the semaphore orders them.
        var result: Result<Value, any Error>?
        let done = DispatchSemaphore(value: 0)
    }

    /// Runs the jobs of bridged work, and of the child tasks it starts, on a concurrent
    /// Dispatch queue.
    private final class DispatchExecutor: TaskExecutor {
        private let queue = DispatchQueue(label: "ckpt-tools.remote", attributes: .concurrent)

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    private static let executor = DispatchExecutor()

    static func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = Outcome<Value>()
        Task(executorPreference: executor) {
            do {
                outcome.result = .success(try await work())
            } catch {
                outcome.result = .failure(error)
            }
            outcome.done.signal()
        }
        outcome.done.wait()
        return try outcome.result!.get()
    }
}
