import MappedIO
import TensorBundle

/// Turns what a user typed into checkpoint prefixes.
public enum CheckpointLocator {
    /// The checkpoints a path names:
    /// - a directory: every checkpoint its `checkpoint` file names, then every other `*.index`
    ///   in it (or only the newest with `latestOnly`);
    /// - a path ending in `.index`: that checkpoint;
    /// - a prefix whose `.index` exists: that checkpoint.
    public static func prefixes(for path: String, latestOnly: Bool = false) throws(ToolError) -> [String] {
        if let at = path.lastIndex(of: "@"), FileSystem.kind(of: path) == .missing,
            let step = Int64(path[path.index(after: at)...]), FileSystem.kind(of: String(path[..<at])) == .directory
        {
            return [try prefix(in: String(path[..<at]), step: step)]
        }
        switch FileSystem.kind(of: path) {
        case .directory:
            let directory: CheckpointDirectory
            do {
                directory = try CheckpointDirectory(path: path)
            } catch {
                throw ToolError(error.description)
            }
            return try ordered(directory, latestOnly: latestOnly)
        case .regular where path.hasSuffix(".index"):
            return [String(path.dropLast(".index".count))]
        case .inaccessible(let error):
            throw ToolError(error.description)
        default:
            switch FileSystem.kind(of: BundleFiles.index(prefix: path)) {
            case .missing: break
            case .inaccessible(let error): throw ToolError(error.description)
            default: return [path]
            }
            if case .missing = FileSystem.kind(of: path) {
                throw ToolError("\(path): no such checkpoint (neither a directory, an .index file nor a prefix with one)")
            }
            throw ToolError("\(path): not a checkpoint (expected a directory, an .index file or a prefix)")
        }
    }

    /// The checkpoints of a training directory: those its state file names, in its order, then
    /// every other one by name; or only the newest.
    static func ordered(_ directory: CheckpointDirectory, latestOnly: Bool) throws(ToolError) -> [String] {
        if latestOnly {
            if let latest = directory.latest, latest.exists { return [latest.prefix] }
            guard let last = directory.prefixes.last else { throw ToolError("\(directory.path): no checkpoint in this directory") }
            return [last]
        }
        var ordered: [String] = []
        if case .success(let state)? = directory.state {
            let named = state.allModelCheckpointPaths + [state.modelCheckpointPath].compactMap { $0 }
            for written in named {
                let resolved = directory.resolve(written)
                if resolved.exists && !ordered.contains(resolved.prefix) { ordered.append(resolved.prefix) }
            }
        }
        for prefix in directory.prefixes where !ordered.contains(prefix) { ordered.append(prefix) }
        guard !ordered.isEmpty else { throw ToolError("\(directory.path): no checkpoint in this directory") }
        return ordered
    }

    /// The checkpoint of `step` in `directory`: the prefix whose name ends in that number
    /// (`ckpt-1200`, `model.ckpt-1200`).
    static func prefix(in directory: String, step: Int64) throws(ToolError) -> String {
        let candidates: [String]
        do {
            candidates = try CheckpointDirectory(path: directory).prefixes.filter { BundleFiles.step(of: Path.fileName(of: $0)) == step }
        } catch {
            throw ToolError(error.description)
        }
        guard candidates.count == 1 else {
            throw ToolError(
                candidates.isEmpty
                    ? "\(directory): no checkpoint of step \(step)"
                    : "\(directory): several checkpoints of step \(step): \(candidates.map(Path.fileName).joined(separator: ", "))")
        }
        return candidates[0]
    }
}
