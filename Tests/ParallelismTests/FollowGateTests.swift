import Parallelism
import Synchronization
import Testing

/// A reader and a follower paced by a gate: the follower never passes the reader, the reader
/// never starts a stretch more than its lead past what the follower asked for, and neither
/// waits forever, whatever the reader's and the follower's strides.
@Suite(.timeLimit(.minutes(1))) struct FollowGateTests {
    @Test(arguments: [(1, 1), (3, 1), (16, 1), (1, 7), (3, 7), (16, 40)])
    func theReaderLeadsByAtMostItsLeadAndTheFollowerNeverPassesIt(lead: Int, stretch: Int) {
        let gate = FollowGate(lead: lead)
        let read = Atomic<Int>(0)
        let asked = Atomic<Int>(0)
        let violations = Atomic<Int>(0)
        let end = 200
        ParallelWork.run(count: 2, jobs: 2) { side in
            if side == 0 {
                for start in stride(from: 0, to: end, by: stretch) {
                    gate.mayRead("f", from: start)
                    if start >= max(asked.load(ordering: .sequentiallyConsistent), 0) + lead { violations.add(1, ordering: .relaxed) }
                    let position = min(end, start + stretch)
                    read.store(position, ordering: .sequentiallyConsistent)
                    gate.didRead("f", upTo: position)
                }
            } else {
                // Asks for uneven stretches, some longer than the lead.
                var position = 0
                while position < end {
                    position = min(end, position + [1, lead, 2 * lead + 1][position % 3])
                    asked.store(position, ordering: .sequentiallyConsistent)
                    gate.follow("f", upTo: position)
                    if read.load(ordering: .sequentiallyConsistent) < position { violations.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(violations.load(ordering: .relaxed) == 0)
        #expect(read.load(ordering: .relaxed) == end)
    }

    @Test func aFileTheReaderIsDoneWithOrAReleasedGateEndsEveryWait() {
        let gate = FollowGate(lead: 4)
        gate.didRead("done", upTo: .max)
        gate.follow("done", upTo: 1 << 40)
        ParallelWork.run(count: 2, jobs: 2) { side in
            if side == 0 { gate.follow("never-read", upTo: 100) } else { gate.release() }
        }
        gate.mayRead("other", from: 1 << 40)
    }
}
