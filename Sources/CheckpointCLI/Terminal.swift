import BinaryCoding
import Glibc
import MappedIO
import Synchronization

/// Where the tools write: standard output for results, standard error for diagnostics. Every
/// byte they print goes through here, so the rules hold everywhere:
///
/// - Text is printed line by line, each line with its control characters escaped (`\n`,
///   `\x1b`) and the user info of any URL in it redacted: a name read from a hostile file,
///   directory or store can neither start a line of its own ("ok"), nor move the cursor, nor
///   show a secret. Machine documents (JSON, CSV) quote what they hold themselves.
/// - Diagnostics name a remote object by its URL, never the staging path that stood for it.
/// - A report that cannot be delivered is a failure: when standard output cannot be written
///   (a full disk, an I/O error), the tool says so on standard error and exits 2 at once; when
///   its reader is gone (`… | head`), it ends quietly, by SIGPIPE, as other Unix tools do.
///
/// (Swift 6 rejects Glibc's `stdout`/`stderr` globals, so this writes to the descriptors.)
public enum Terminal {
    /// Writes human-readable `lines` to standard output, each made safe to print.
    public static func print(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        deliver(lines.map(printable).joined(separator: "\n") + "\n")
    }

    /// Writes one human-readable line to standard output, made safe to print.
    public static func print(_ line: String) {
        print([line])
    }

    /// Writes a document in a machine format (JSON, CSV, help text) to standard output as it is.
    public static func document(_ text: String) {
        deliver(text)
    }

    /// Writes one diagnostic line to standard error, made safe to print, with staging paths
    /// replaced by the remote locations they stand for.
    public static func diagnose(_ line: String) {
        emit(Array((printable(ScratchDirectory.originalPaths(in: line)) + "\n").utf8), to: 2)
    }

    /// Whether a progress bar is on standard error's last line. Every write holds this lock: a
    /// line printed while a bar is shown clears it first, and the bar's timer draws it again.
    private static let progressShown = Mutex(false)

    /// Redraws a progress bar on standard error (`text` holds its own carriage return and
    /// erase sequence; the label in it must already be printable).
    static func redraw(_ text: String) {
        progressShown.withLock { shown in
            write(Array(text.utf8), to: 2)
            shown = true
        }
    }

    /// Clears a progress bar from standard error, if one is shown.
    static func clearProgress() {
        progressShown.withLock { shown in
            if shown { write(Array("\r\u{1B}[K".utf8), to: 2) }
            shown = false
        }
    }

    /// Writes `bytes` to `descriptor`, a progress bar cleared first; the error that stopped it.
    @discardableResult
    private static func emit(_ bytes: [UInt8], to descriptor: Int32) -> Errno? {
        progressShown.withLock { shown in
            if shown { write(Array("\r\u{1B}[K".utf8), to: 2) }
            shown = false
            return write(bytes, to: descriptor)
        }
    }

    /// Whether standard output is a terminal.
    public static var outputIsTerminal: Bool { isatty(1) == 1 }

    /// Closes standard output and reports whether everything written to it arrived: a file
    /// system may report a failed write only when the file is closed (NFS). Exits as
    /// ``deliver(_:)`` does when it did not.
    static func finish() {
        // Not retried on EINTR: Linux has closed the descriptor either way.
        guard close(1) != 0 else { return }
        let failure = Errno.current
        if failure.rawValue != EBADF && failure.rawValue != EINTR { undelivered(failure) }
    }

    /// `line` with control characters escaped and URL user info redacted.
    static func printable(_ line: String) -> String {
        KeyText.inline(Redaction.userInfo(in: line))
    }

    /// Writes `text` to standard output, or ends the tool when it cannot be delivered.
    private static func deliver(_ text: String) {
        if let failure = emit(Array(text.utf8), to: 1) { undelivered(failure) }
    }

    /// Ends the tool because standard output failed with `failure`: quietly by SIGPIPE when
    /// the reader is gone, else with one line on standard error and status 2.
    private static func undelivered(_ failure: Errno) -> Never {
        if failure.rawValue == EPIPE {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            exit(ToolStatus.trouble.rawValue)
        }
        let tool = Path.fileName(of: CommandLine.arguments.first ?? "ckpt")
        diagnose("\(tool): standard output: \(failure); the report was not delivered")
        exit(ToolStatus.trouble.rawValue)
    }

    /// Writes all of `bytes` to `descriptor`; the error that stopped it, if any.
    @discardableResult
    private static func write(_ bytes: [UInt8], to descriptor: Int32) -> Errno? {
        bytes.withUnsafeBytes { raw -> Errno? in
            var offset = 0
            while offset < raw.count {
                do throws(Errno) {
                    let written = try valueOrErrno(retryingInterrupts: {
                        Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    })
                    guard written > 0 else { return Errno(rawValue: EIO) }
                    offset += written
                } catch {
                    return error
                }
            }
            return nil
        }
    }
}
