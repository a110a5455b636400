/// How long work tells whoever watches it how far it has got, from any thread: ``plan(_:)``
/// adds bytes of work as they become known, ``advance(_:)`` counts bytes done.
///
/// Work that knows the whole of what it will do plans it once, at its start, and hands the
/// parts it delegates ``withoutPlanning``, so that the total does not grow as they start.
public struct WorkProgress: Sendable {
    private let planned: @Sendable (Int64) -> Void
    private let done: @Sendable (Int64) -> Void

    public init(planned: @escaping @Sendable (Int64) -> Void, done: @escaping @Sendable (Int64) -> Void) {
        self.planned = planned
        self.done = done
    }

    /// Adds `bytes` to the work to do.
    public func plan(_ bytes: Int64) { planned(bytes) }

    /// Counts `bytes` more as done.
    public func advance(_ bytes: Int64) { done(bytes) }

    /// The same progress for work the caller has planned already: its plans are dropped.
    public var withoutPlanning: WorkProgress { WorkProgress(planned: { _ in }, done: done) }
}
