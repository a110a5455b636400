import Archive
import ArgumentParser
import BinaryCoding
import Delta
import Glibc
import MappedIO
import RemoteCheckpoints

/// The diff(1) exit-status convention every tool here follows.
public enum ToolStatus: Int32, Sendable {
    /// Clean: no problems, no differences.
    case clean = 0
    /// The tool ran and found problems or differences.
    case findings = 1
    /// The tool could not do its job: bad arguments, unreadable input.
    case trouble = 2

    /// Prints `lines` on standard error, checks that standard output was delivered, and exits
    /// with this status.
    func exit(saying lines: String...) -> Never {
        for line in lines { Terminal.diagnose(line) }
        Terminal.finish()
        Glibc.exit(rawValue)
    }
}

/// A failure a tool decides on itself before it has a result (an argument, a selection, a
/// layout or record it does not take): what kind, and one line for standard error naming the
/// file or argument and the cause. Failures of the layers below (files, stores, deltas,
/// archives) reach ``ParsableCommand/runAsTool(name:)`` as their own errors, not as this one.
public struct ToolError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// An argument or option that cannot be taken as given.
        case usage
        /// What an argument names is not there: a checkpoint, a step, a variable.
        case notFound
        /// A layout or checkpoint this command does not take (a V1 checkpoint in shares).
        case unsupported
        /// A record of ours (a partial report) that is not what these tools write.
        case invalidRecord
        /// Inputs that changed between the runs a merge combines.
        case changed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// A tool's command-line arguments (those from index `first` of the process's), checked as
/// bytes to be UTF-8: Swift repairs invalid bytes to U+FFFD, which would name another file than
/// the one the user gave.
struct RawArguments {
    /// The index in `CommandLine.arguments` of the tool's first argument: 1, or 2 when the
    /// multi-call executable was given the tool's name first.
    let first: Int

    /// The tool's arguments, as Swift decoded them.
    var decoded: ArraySlice<String> { CommandLine.arguments.dropFirst(first) }

    /// The first argument that is not valid UTF-8, escaped for display; nil when all are.
    var firstInvalid: String? {
        for index in first..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            let bytes = Array(
                UnsafeBufferPointer(start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument)))
            if String(validating: bytes, as: UTF8.self) == nil { return KeyText.escape(bytes) }
        }
        return nil
    }

    /// The first argument that names a URL other than `s3://…` and `gs://…` (`https://…`,
    /// `az://…`): these tools reach no other stores, and such an argument would otherwise be
    /// taken for a relative path (an archive run would create a folder named `az:`). Values of
    /// the options that take regular expressions are not paths.
    var firstURL: String? {
        var previous = ""
        for argument in decoded {
            defer { previous = argument }
            guard previous != "--include", previous != "--exclude", !RemoteSession.isRemote(argument),
                let scheme = argument.firstRange(of: "://")
            else { continue }
            let name = argument[..<scheme.lowerBound]
            if let first = name.first, first.isLetter, name.allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }) {
                return argument
            }
        }
        return nil
    }

    /// The one-line complaint about an argument these tools cannot take, if there is one.
    var complaint: String? {
        if let invalid = firstInvalid {
            return "the argument \(invalid) is not valid UTF-8; these tools take UTF-8 paths only (rename the file or use a link)"
        }
        return firstURL.map {
            "\($0): only s3:// (S3-compatible stores) and gs:// (Google Cloud Storage) URLs are supported"
        }
    }
}

/// A command that computes its own exit status: a tool's root command, or one of its
/// subcommands (`ckptdelta create`).
public protocol StatusCommand: ParsableCommand {
    /// Runs the command and returns its status; any error it throws means trouble.
    func execute() throws -> ToolStatus
}

extension ParsableCommand {
    /// Parses the arguments, runs the command (or the subcommand they name) and exits with the
    /// diff(1) convention: a usage error, or any error the command throws, prints one line on
    /// standard error and exits 2 (every error of these tools describes itself in one line
    /// naming the file, object or argument, and the cause); `--help` and `--version` exit 0.
    /// The tool's arguments start at index `firstArgument` of the process's.
    public static func runAsTool(name: String, firstArgument: Int = 1) -> Never {
        let arguments = RawArguments(first: firstArgument)
        if let complaint = arguments.complaint { ToolStatus.trouble.exit(saying: "\(name): \(complaint)") }
        let command: any StatusCommand
        do {
            var parsed = try parseAsRoot(Array(arguments.decoded))
            guard let own = parsed as? any StatusCommand else {
                // `--help` and similar built-in commands run themselves.
                try parsed.run()
                ToolStatus.clean.exit()
            }
            command = own
        } catch {
            if exitCode(for: error) == .success {
                Terminal.document(fullMessage(for: error) + "\n")
                ToolStatus.clean.exit()
            }
            ToolStatus.trouble.exit(saying: "\(name): \(message(for: error))", "See '\(name) --help'.")
        }
        do {
            try command.execute().exit()
        } catch {
            ToolStatus.trouble.exit(saying: "\(name): \(error)")
        }
    }
}
