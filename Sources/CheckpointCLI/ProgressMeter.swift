import Dispatch
import Glibc
import Parallelism
import Synchronization

/// A one-line progress bar on standard error: how much of the work is done, in bytes, at what
/// rate, and how long the rest will take. Redrawn at most ten times a second by a timer (from
/// half a second on, so short work draws nothing) and cleared when finished. Workers only add
/// to atomic counters.
public final class ProgressMeter: Sendable {
    private let planned = Atomic<Int64>(0)
    private let done = Atomic<Int64>(0)
    private let clock = Stopwatch()
    private let label: String
    /// Where the timer draws: one draw at a time, and none once ``finish()`` has waited here.
    private let queue = DispatchQueue(label: "ckpt-tools.progress")
    // Dispatch sources are thread-safe; the type just is not annotated.
    private nonisolated(unsafe) let timer: DispatchSourceTimer

    /// Starts a meter named `label`; the work's ``progress`` tells it the total and what is done.
    public init(label: String) {
        self.label = Terminal.printable(label)
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    /// A meter named `label` when a progress bar belongs on standard error (``isWanted``) and
    /// `shown`; else nil.
    public static func start(label: String, if shown: Bool = true) -> ProgressMeter? {
        shown && isWanted ? ProgressMeter(label: label) : nil
    }

    /// Runs `work` with the progress of a meter named `label` (nil when none is shown, see
    /// ``start(label:if:)``), and clears the meter however the work ends.
    public static func showing<Value, Failure: Error>(
        _ label: String, if shown: Bool = true, _ work: (WorkProgress?) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let meter = start(label: label, if: shown)
        defer { meter?.finish() }
        return try work(meter?.progress)
    }

    /// The progress work reports to this meter.
    public var progress: WorkProgress {
        WorkProgress(
            planned: { [self] bytes in planned.add(bytes, ordering: .relaxed) },
            done: { [self] bytes in done.add(bytes, ordering: .relaxed) })
    }

    private func draw() {
        let total = max(planned.load(ordering: .relaxed), 1)
        let finished = min(done.load(ordering: .relaxed), total)
        let fraction = Double(finished) / Double(total)
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(Formatting.bytes(finished)) of \(Formatting.bytes(total))"
        // A rate needs a second of work and some of it done to mean anything.
        let seconds = clock.seconds
        if finished > 0, seconds >= 1, finished >= total / 100 {
            let rate = Double(finished) / seconds
            line += ", \(Formatting.bytes(Int64(rate)))/s, \(Self.duration(Double(total - finished) / rate)) left"
        }
        Terminal.redraw(line + "\u{1B}[K")
    }

    /// Stops drawing (a draw under way ends first) and clears the line.
    public func finish() {
        timer.cancel()
        queue.sync {}
        Terminal.clearProgress()
    }

    /// `4 s`, `2 min 5 s`, `1 h 3 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 360_000 else { return "a long time" }
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }

    /// Whether a progress bar belongs on standard error: a terminal that is not `dumb`.
    public static var isWanted: Bool {
        isatty(2) == 1 && (getenv("TERM").map { String(cString: $0) } ?? "dumb") != "dumb"
    }
}
