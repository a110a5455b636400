import Glibc

/// Keeps a reader of files and a follower of that reader close: the follower uses bytes only
/// once the reader has passed them, and the reader starts a stretch only within `lead` bytes
/// of what the follower last asked for. Bytes one pass brought into the page cache are then used by the
/// other before they can be evicted, so the two passes read the disk once.
///
/// Neither side waits for the other forever: the follower always lets the reader reach what it
/// waits for, a file the reader is done with (or failed on) counts as read to its end, and
/// ``release()`` ends every wait.
package final class FollowGate: @unchecked Sendable {
    private let lead: Int
    // Guarded by `mutex`; `changed` is signalled on every change.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var read: [String: Int] = [:]
    private var allowed: [String: Int] = [:]
    private var released = false

    /// A gate letting the reader run `lead` bytes ahead of the follower in each file.
    package init(lead: Int) {
        self.lead = lead
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        changed.deallocate()
    }

    /// The reader: waits until it may read a stretch of `file` that starts at `start` (the
    /// stretch may end past what the follower asked for: the follower waits for it whole).
    package func mayRead(_ file: String, from start: Int) {
        locked { while !released && start >= allowed[file, default: lead] { pthread_cond_wait(changed, mutex) } }
    }

    /// The reader: has read `file` up to `end` (`Int.max` once it is done with the file, or
    /// failed on it).
    package func didRead(_ file: String, upTo end: Int) {
        locked {
            read[file] = max(read[file, default: 0], end)
            pthread_cond_broadcast(changed)
        }
    }

    /// The follower: waits until `file` has been read up to `end`, letting the reader run
    /// `lead` bytes past it.
    package func follow(_ file: String, upTo end: Int) {
        locked {
            let (sum, overflow) = end.addingReportingOverflow(lead)
            allowed[file] = max(allowed[file, default: lead], overflow ? .max : sum)
            pthread_cond_broadcast(changed)
            while !released && read[file, default: 0] < end { pthread_cond_wait(changed, mutex) }
        }
    }

    /// Ends every wait, now and later: one side is gone.
    package func release() {
        locked {
            released = true
            pthread_cond_broadcast(changed)
        }
    }

    private func locked(_ body: () -> Void) {
        pthread_mutex_lock(mutex)
        body()
        pthread_mutex_unlock(mutex)
    }
}
