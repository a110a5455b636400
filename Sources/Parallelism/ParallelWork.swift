import Dispatch
import Glibc
import Synchronization

/// The number of online processors.
public var availableCores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

/// Runs `count` independent work items on `jobs` threads, each thread taking the next item
/// as soon as it is free, and returns when all are done.
public enum ParallelWork {
    public static func run(count: Int, jobs: Int, _ work: @Sendable (Int) -> Void) {
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

extension ParallelWork {
    /// Like ``run(count:jobs:_:)``, with state that each worker thread makes once and reuses
    /// for every item it takes (compression contexts, scratch buffers).
    public static func run<State>(
        count: Int, jobs: Int, state makeState: @Sendable () -> State, _ work: @Sendable (inout State, Int) -> Void
    ) {
        guard count > 0 else { return }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
            var state = makeState()
            while true {
                let item = next.add(1, ordering: .relaxed).oldValue
                guard item < count else { return }
                work(&state, item)
            }
        }
    }
}

/// Results written by many threads, one slot each: every slot is written by exactly one work
/// item, and read only after ``ParallelWork/run(count:jobs:_:)`` returns.
package final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // A raw buffer, not an array: concurrent writes to distinct slots must not go through
    // one stored property, which exclusivity checking would treat as overlapping accesses.
    private let storage: UnsafeMutableBufferPointer<Value>

    package init(count: Int, initial: Value) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: initial)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    package subscript(index: Int) -> Value {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    /// Puts `value` in slot `index` and returns what was there, without copying it: a buffer
    /// taken out this way is uniquely referenced and can grow in place.
    package func exchange(_ index: Int, with value: Value) -> Value {
        var value = value
        swap(&storage[index], &value)
        return value
    }
}
