import Glibc
import MappedIO
import TensorBundle

/// Checks a training directory's `checkpoint` state file (it parses; everything it names
/// exists; stale absolute paths; order and timestamps) and its debris (`*_temp*` directories
/// and `.tempstate` files from interrupted saves).
enum DirectoryCheck {
    static func run(path: String) -> DirectoryReport {
        let directory: CheckpointDirectory
        do {
            directory = try CheckpointDirectory(path: path)
        } catch {
            return DirectoryReport(path: path, findings: [Finding(.error, .directoryUnreadable, error.cause, file: path)])
        }
        return run(directory)
    }

    /// Checks the local `directory`, already read.
    static func run(_ directory: CheckpointDirectory) -> DirectoryReport {
        run(directory) { FileSystem.kind(of: Path.join(directory.path, $0)) == .directory }
    }

    /// Checks `directory`; `isFolder` tells which of its names are folders.
    static func run(_ directory: CheckpointDirectory, isFolder: (String) -> Bool) -> DirectoryReport {
        let path = directory.path
        let stateFile = Path.join(path, CheckpointDirectory.stateFileName)
        var findings: [Finding] = []
        if let unreadable = directory.stateFileUnreadable {
            findings.append(Finding(.error, .stateUnreadable, "\(unreadable.cause) (TensorFlow cannot read it either)", file: stateFile))
        }
        switch directory.state {
        case nil:
            if !directory.prefixes.isEmpty && directory.stateFileUnreadable == nil {
                findings.append(
                    Finding(.warning, .stateAbsent, "no `checkpoint` file: tf.train.latest_checkpoint finds nothing here", file: stateFile))
            }
        case .failure(let error)?:
            findings.append(Finding(.error, .stateUnparseable, "\(error) (TensorFlow ignores the whole file)", file: stateFile))
        case .success(let state)?:
            findings += checkState(state, in: directory, file: stateFile)
        }
        for name in directory.fileNames {
            let full = Path.join(path, name)
            if name.contains("_temp"), isFolder(name) {
                findings.append(Finding(.warning, .debrisTempDir, "temporary directory left by an interrupted sharded save", file: full))
            } else if name.contains(".tempstate") {
                findings.append(Finding(.warning, .debrisTempstate, "temporary file left by an interrupted save", file: full))
            }
        }
        for refused in directory.refusedNames {
            findings.append(
                Finding(
                    .warning, .directoryBadName,
                    "\(refused): skipped, these tools read names of UTF-8 text without control characters only", file: path))
        }
        return DirectoryReport(path: path, findings: findings)
    }

    private static func checkState(_ state: CheckpointState, in directory: CheckpointDirectory, file: String) -> [Finding] {
        var findings: [Finding] = []
        guard let latest = state.modelCheckpointPath, !latest.isEmpty else {
            return [Finding(.error, .stateNoLatest, "model_checkpoint_path is missing or empty (TensorFlow raises ValueError)", file: file)]
        }
        for written in uniqued(state.allModelCheckpointPaths + [latest]) {
            let resolved = directory.resolve(written)
            if !resolved.exists {
                let which = written == latest ? "the latest checkpoint" : "checkpoint"
                findings.append(
                    Finding(
                        .error, .stateMissingCheckpoint, "\(which) \"\(written)\" does not exist (no \(resolved.prefix).index)", file: file)
                )
            } else if resolved.relocated {
                findings.append(
                    Finding(
                        .warning, .stateRelocated,
                        "\"\(written)\" is a stale absolute path (the directory moved); resolved to \(resolved.prefix), which TensorFlow will not find",
                        file: file))
            }
        }
        if state.allModelCheckpointPaths.last != latest {
            findings.append(
                Finding(.warning, .stateOrder, "the latest checkpoint is not the last of all_model_checkpoint_paths", file: file))
        }
        let stamps = state.allModelCheckpointTimestamps
        if !stamps.isEmpty && stamps.count != state.allModelCheckpointPaths.count {
            findings.append(
                Finding(
                    .warning, .stateTimestamps, "\(stamps.count) timestamps for \(state.allModelCheckpointPaths.count) paths", file: file))
        }
        let now = Double(time(nil))
        if stamps.contains(where: { !$0.isFinite }) {
            findings.append(Finding(.warning, .stateTimestamps, "a timestamp is not a finite number", file: file))
        } else if zip(stamps, stamps.dropFirst()).contains(where: { $0 > $1 }) {
            findings.append(Finding(.warning, .stateTimestamps, "timestamps are not in increasing order", file: file))
        } else if let last = stamps.last, last > now + 60 {
            findings.append(Finding(.warning, .stateTimestamps, "a timestamp lies in the future (TensorFlow clamps it to now)", file: file))
        }
        return findings
    }

    private static func uniqued(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }
}
