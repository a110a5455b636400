import Parallelism
import Synchronization

/// Records what work reports as its progress: the bytes it planned, the bytes it did, and
/// whether done ever ran ahead of planned.
public final class ProgressRecorder: Sendable {
    private let plannedBytes = Atomic<Int64>(0)
    private let doneBytes = Atomic<Int64>(0)
    private let overtaken = Atomic<Bool>(false)

    public init() {}

    public var progress: WorkProgress {
        WorkProgress(
            planned: { [self] bytes in plannedBytes.add(bytes, ordering: .sequentiallyConsistent) },
            done: { [self] bytes in
                let done = doneBytes.add(bytes, ordering: .sequentiallyConsistent).newValue
                if done > plannedBytes.load(ordering: .sequentiallyConsistent) { overtaken.store(true, ordering: .sequentiallyConsistent) }
            })
    }

    public var planned: Int64 { plannedBytes.load(ordering: .sequentiallyConsistent) }
    public var done: Int64 { doneBytes.load(ordering: .sequentiallyConsistent) }
    /// Whether the bytes done ever exceeded the bytes planned by then.
    public var ranAhead: Bool { overtaken.load(ordering: .sequentiallyConsistent) }
}
