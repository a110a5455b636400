import Glibc
import MappedIO

/// Where the tools write: standard output for results, standard error for diagnostics.
/// (Swift 6 rejects Glibc's `stdout`/`stderr` globals, so this writes to the descriptors.)
public enum Terminal {
    /// Writes `text` to standard output.
    public static func out(_ text: String) {
        write(text, to: 1)
    }

    /// Writes `text` to standard error.
    public static func error(_ text: String) {
        write(text, to: 2)
    }

    /// Whether standard output is a terminal.
    public static var outputIsTerminal: Bool { isatty(1) == 1 }

    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                // A closed pipe (`… | head`) or a full disk ends output quietly.
                guard
                    let written = try? valueOrErrno(retryingInterrupts: {
                        Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    }),
                    written > 0
                else { return }
                offset += written
            }
        }
        bytes.removeAll()
    }
}
