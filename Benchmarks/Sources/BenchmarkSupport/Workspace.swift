import Foundation

/// What every benchmark shares: its scratch folder (the first argument, default
/// `/tmp/ckpt-bench`), the repository it measures, its tools built in release mode, and the
/// Python with TensorFlow that writes real checkpoints.
public enum Workspace {
    public static let scratch = CommandLine.arguments.dropFirst().first ?? "/tmp/ckpt-bench"

    /// The repository root (benchmarks run from `Benchmarks/`).
    public static let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).deletingLastPathComponent().path

    /// `CKPT_TF_PYTHON`, or the virtualenv `scripts/test` creates.
    public static let python = ProcessInfo.processInfo.environment["CKPT_TF_PYTHON"] ?? root + "/.build/tf-venv/bin/python"

    /// Builds `product` of the repository in release mode and returns the executable's path.
    public static func tool(_ product: String) throws -> String {
        _ = try Spawn.run(["/usr/bin/env", "swift", "build", "-c", "release", "--package-path", root, "--product", product])
        return root + "/.build/release/" + product
    }

    /// An empty folder `name` in the scratch folder (emptied if it exists).
    public static func freshDirectory(_ name: String) throws -> String {
        let path = scratch + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes real TensorFlow checkpoints with `Scripts/tensorflow_checkpoints.py MODE` into
    /// `scratch/name` unless `marker` (a path inside it) exists already; returns the folder.
    public static func tensorFlowCheckpoints(mode: String, into name: String, marker: String) throws -> String {
        let path = scratch + "/" + name
        if !FileManager.default.fileExists(atPath: path + "/" + marker) {
            _ = try Spawn.run([python, root + "/Benchmarks/Scripts/tensorflow_checkpoints.py", mode, path])
        }
        return path
    }

    /// The size of the file at `path` (0 if it cannot be read).
    public static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}

extension Spawn {
    /// Runs `command` with `/bin/sh -c`.
    public static func shell(_ command: String) throws -> Run {
        try run(["/bin/sh", "-c", command])
    }
}
