import Dispatch
import Glibc
import Synchronization

/// A one-line progress bar on standard error, redrawn at most ten times a second by a timer
/// and cleared when finished. Workers only add to an atomic counter.
public final class ProgressMeter: Sendable {
    private let total: Int64
    private let done = Atomic<Int64>(0)
    // Dispatch sources are thread-safe; the type just is not annotated.
    private nonisolated(unsafe) let timer: DispatchSourceTimer

    private let label: String

    /// Starts drawing progress toward `total` bytes.
    public init(total: Int64, label: String) {
        self.total = max(total, 1)
        self.label = Terminal.printable(label)
        timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now(), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    private func draw() {
        let fraction = min(1, Double(done.load(ordering: .relaxed)) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Terminal.redraw("\r\(label) [\(bar)] \(Int(fraction * 100))%")
    }

    /// Counts `bytes` more as done (safe from any thread).
    public func add(_ bytes: Int64) {
        done.add(bytes, ordering: .relaxed)
    }

    /// Stops drawing and clears the line.
    /// A progress callback that adds to this meter.
    public var counter: @Sendable (Int64) -> Void {
        { [self] bytes in add(bytes) }
    }

    public func finish() {
        timer.cancel()
        Terminal.redraw("\r\u{1B}[K")
    }

    /// Whether a progress bar belongs on standard error: a terminal that is not `dumb`.
    public static var isWanted: Bool {
        isatty(2) == 1 && (getenv("TERM").map { String(cString: $0) } ?? "dumb") != "dumb"
    }
}
