import Dispatch
import Synchronization

/// Runs `count` independent work items on `jobs` threads, each thread taking the next item
/// as soon as it is free, and returns when all are done.
enum ParallelWork {
    static func run(count: Int, jobs: Int, _ work: @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
            while true {
                let item = next.add(1, ordering: .relaxed).oldValue
                guard item < count else { return }
                work(item)
            }
        }
    }
}

/// Results written by many threads, one slot each: every slot is written by exactly one work
/// item, and read only after ``ParallelWork/run(count:jobs:_:)`` returns.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // A raw buffer, not an array: concurrent writes to distinct slots must not go through
    // one stored property, which exclusivity checking would treat as overlapping accesses.
    private let storage: UnsafeMutableBufferPointer<Value>

    init(count: Int, initial: Value) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: initial)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    subscript(index: Int) -> Value {
        get { storage[index] }
        set { storage[index] = newValue }
    }
}
