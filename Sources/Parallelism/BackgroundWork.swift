import Dispatch

/// Work done one piece at a time on a background thread, overlapped with the caller's own
/// (a write while the next buffer is filled). Pieces run in the order they were started.
package final class BackgroundWork<Failure: Error>: @unchecked Sendable {
    private let queue = DispatchQueue(label: "ckpt-tools.background")
    private let group = DispatchGroup()
    // Written on the queue, read only after `group.wait()`, which orders the two.
    private var failure: Failure?

    package init() {}

    /// Starts `work` once the pieces started before it are done.
    package func start(_ work: @escaping @Sendable () -> Result<Void, Failure>) {
        group.enter()
        queue.async {
            if case .failure(let error) = work(), self.failure == nil { self.failure = error }
            self.group.leave()
        }
    }

    /// Waits until every piece started so far is done; throws the first failure.
    package func wait() throws(Failure) {
        group.wait()
        if let failure { throw failure }
    }
}
