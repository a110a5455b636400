import Parallelism
import Synchronization
import Testing

/// Work spread over threads: every item exactly once, per-worker state made at most once per
/// worker, background pieces in order with their first failure reported (and kept).
struct ParallelismTests {
    @Test(arguments: [(0, 1), (1, 1), (1, 4), (7, 2), (1000, 3), (64, 64)])
    func everyItemRunsExactlyOnce(count: Int, jobs: Int) {
        let runs = ResultSlots<Int>(count: count, initial: 0)
        ParallelWork.run(count: count, jobs: jobs) { index in runs[index] = runs[index] + 1 }
        #expect((0..<count).allSatisfy { runs[$0] == 1 })
    }

    @Test func stateIsMadeOncePerWorkerAndReused() {
        let made = Atomic<Int>(0)
        let seen = ResultSlots<Int>(count: 500, initial: -1)
        ParallelWork.run(count: 500, jobs: 3, state: { () -> Int in made.wrappingAdd(1, ordering: .relaxed).newValue }) { state, index in
            seen[index] = state
        }
        let workers = made.load(ordering: .relaxed)
        #expect((1...3).contains(workers))
        #expect((0..<500).allSatisfy { (1...workers).contains(seen[$0]) })
    }

    @Test func exchangeHandsOverTheValue() {
        let slots = ResultSlots<[UInt8]>(count: 2, initial: [])
        ParallelWork.run(count: 2, jobs: 2) { index in
            var buffer = slots.exchange(index, with: [])
            buffer.append(UInt8(index))
            _ = slots.exchange(index, with: buffer)
        }
        #expect(slots[0] == [0] && slots[1] == [1])
    }

    struct Failure: Error, Equatable { let piece: Int }

    @Test func backgroundPiecesRunInOrderAndTheFirstFailureIsThrown() {
        let work = BackgroundWork<Failure>()
        let order = Mutex<[Int]>([])
        for piece in 0..<20 {
            work.start {
                order.withLock { $0.append(piece) }
                return piece == 7 || piece == 12 ? .failure(Failure(piece: piece)) : .success(())
            }
        }
        #expect(throws: Failure(piece: 7)) { try work.wait() }
        #expect(order.withLock { $0 } == Array(0..<20))
        // A failure stays: every later wait reports it, even with nothing started since.
        #expect(throws: Failure(piece: 7)) { try work.wait() }
    }

    @Test func stopwatchOnlyMovesForward() {
        let watch = Stopwatch()
        let first = watch.seconds
        ParallelWork.run(count: 100, jobs: 2) { _ in }
        #expect(first >= 0 && watch.seconds >= first)
    }
}
