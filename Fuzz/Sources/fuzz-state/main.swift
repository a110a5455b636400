import FuzzSupport
import TensorBundle

// The `checkpoint` state file (protobuf text format): parsing any bytes, and the round trip of
// what parses through the writer a restore uses.
FuzzWorkspace.run(seeds: {
    try FuzzWorkspace.files(under: FuzzWorkspace.fixtures) { $0 == CheckpointDirectory.stateFileName }.map(FuzzWorkspace.read)
}) { input in
    guard let state = try? CheckpointState(parsing: input) else { return }
    guard let again = try? CheckpointState(parsing: Array(state.formatted().utf8)) else {
        fatalError("a parsed state file does not parse after formatting")
    }
    precondition(
        again.modelCheckpointPath == state.modelCheckpointPath && again.allModelCheckpointPaths == state.allModelCheckpointPaths,
        "state files do not round-trip")
}
