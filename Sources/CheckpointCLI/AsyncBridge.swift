import Dispatch

/// Runs async work from the synchronous commands: the calling thread waits while the work
/// runs on Swift's concurrency pool (the caller is not one of its threads).
enum AsyncBridge {
    private final class Outcome<Value: Sendable>: @unchecked Sendable {
        // Written once before `done` is signalled and read once after: the semaphore orders them.
        var result: Result<Value, any Error>?
        let done = DispatchSemaphore(value: 0)
    }

    static func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = Outcome<Value>()
        Task {
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
