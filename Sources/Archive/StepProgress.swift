import Parallelism
import Synchronization

/// The progress of one step of a run, planned as `limit` bytes, whose work may be done more
/// than once (a delta replaced by a keyframe, a base rebuilt after a local one failed): it
/// counts at most `limit` bytes, and all of them once the step ends, however it ended.
final class StepProgress: Sendable {
    private let limit: Int64
    private let counted = Atomic<Int64>(0)
    private let parent: WorkProgress

    init(limit: Int64, parent: WorkProgress) {
        self.limit = max(0, limit)
        self.parent = parent
    }

    /// The progress the step's work reports: its plans are the run's already.
    var progress: WorkProgress {
        WorkProgress(planned: { _ in }, done: { [self] bytes in count(bytes) })
    }

    /// Counts what is left of the step.
    func finish() { count(limit) }

    private func count(_ bytes: Int64) {
        var current = counted.load(ordering: .relaxed)
        while true {
            let next = current + min(max(bytes, 0), limit - current)
            guard next != current else { return }
            let (exchanged, original) = counted.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged {
                parent.advance(next - current)
                return
            }
            current = original
        }
    }
}
