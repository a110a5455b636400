import MappedIO
import TensorBundle

/// Turns what a user typed into the checkpoints it names, whatever layout holds them.
public enum CheckpointLocator {
    /// What a local path holds, as the tools read it.
    enum Layout {
        /// One checkpoint: its prefix.
        case checkpoint(String)
        /// A training directory: checkpoints and their `checkpoint` state file.
        case trainingDirectory(CheckpointDirectory)
        /// A SavedModel: its variables bundle is the checkpoint.
        case savedModel(SavedModel)
        /// A TF Serving model base path: a SavedModel per version.
        case servingModel(ServingModel)
        /// A legacy V1 checkpoint: its file (or its shards' prefix).
        case legacy(String)
    }

    /// What `path` names:
    /// - `DIR@STEP`: the checkpoint of that step in a training directory;
    /// - a directory: a SavedModel (`saved_model.pb` or `variables/variables.index` in it), a
    ///   TF Serving model base path (numbered SavedModel directories), else a training directory;
    /// - a path ending in `.index`, or a prefix whose `.index` exists: that checkpoint.
    ///
    /// - Throws: ``ToolError`` naming the path and what it holds instead (a Keras weights file,
    ///   a directory without checkpoints, …). A file that is a legacy V1 checkpoint (or a
    ///   prefix whose V1 shards exist) is one.
    static func layout(of path: String) throws -> Layout {
        if let at = path.lastIndex(of: "@"), FileSystem.kind(of: path) == .missing,
            let step = Int64(path[path.index(after: at)...]), FileSystem.kind(of: String(path[..<at])) == .directory
        {
            return .checkpoint(try prefix(in: String(path[..<at]), step: step))
        }
        switch FileSystem.kind(of: path) {
        case .directory:
            if let model = SavedModel(directory: path) { return .savedModel(model) }
            let directory = try CheckpointDirectory(path: path)
            if let serving = ServingModel(directory: path, names: directory.fileNames) { return .servingModel(serving) }
            return .trainingDirectory(directory)
        case .regular where path.hasSuffix(".index"):
            return .checkpoint(String(path.dropLast(".index".count)))
        case .regular where !LegacyCheckpoint.files(prefix: path).isEmpty:
            return .legacy(path)
        case .inaccessible(let error):
            throw error
        default:
            switch FileSystem.kind(of: BundleFiles.index(prefix: path)) {
            case .missing: break
            case .inaccessible(let error): throw error
            default: return .checkpoint(path)
            }
            if !LegacyCheckpoint.files(prefix: path).isEmpty { return .legacy(path) }
            if case .missing = FileSystem.kind(of: path) {
                throw ToolError(.notFound, "\(path): no such checkpoint (neither a directory, an .index file nor a prefix with one)")
            }
            if let format = ForeignFormat.identify(path) {
                throw ToolError(.unsupported, "\(path): \(format), not a TensorFlow checkpoint; \(ForeignFormat.whatIsRead)")
            }
            throw ToolError(.unsupported, "\(path): not a checkpoint (expected a directory, an .index file or a prefix)")
        }
    }

    /// The checkpoints a path names (see ``layout(of:)``): a training directory's in the order
    /// of `CheckpointDirectory.checkpoints(latestOnly:)`, a SavedModel's variables, a serving model's versions in
    /// ascending order; with `latestOnly`, only the newest.
    public static func prefixes(for path: String, latestOnly: Bool = false) throws -> [String] {
        try prefixes(in: layout(of: path), path: path, latestOnly: latestOnly)
    }

    /// The checkpoints of `layout`, which `path` named (see ``prefixes(for:latestOnly:)``).
    static func prefixes(in layout: Layout, path: String, latestOnly: Bool) throws -> [String] {
        switch layout {
        case .checkpoint(let prefix), .legacy(let prefix):
            return [prefix]
        case .trainingDirectory(let directory):
            let checkpoints = directory.checkpoints(latestOnly: latestOnly)
            guard !checkpoints.isEmpty else { throw ToolError(.notFound, directory.noCheckpointLine) }
            return checkpoints
        case .savedModel(let model):
            guard model.hasVariables else {
                throw ToolError(.notFound, "\(path): a SavedModel without variables (no variables/variables.index)")
            }
            return [model.variablesPrefix]
        case .servingModel(let serving):
            let versions = latestOnly ? Array(serving.versions.suffix(1)) : serving.versions
            return versions.filter(\.model.hasVariables).map(\.model.variablesPrefix)
        }
    }

    /// The checkpoint of `step` in `directory`: the prefix whose name ends in that number
    /// (`ckpt-1200`, `model.ckpt-1200`).
    static func prefix(in directory: String, step: Int64) throws -> String {
        let candidates = try CheckpointDirectory(path: directory).prefixes.filter { BundleFiles.step(of: Path.fileName(of: $0)) == step }
        guard candidates.count == 1 else {
            throw ToolError(
                .notFound,
                candidates.isEmpty
                    ? "\(directory): no checkpoint of step \(step)"
                    : "\(directory): several checkpoints of step \(step): \(candidates.map(Path.fileName).joined(separator: ", "))")
        }
        return candidates[0]
    }
}
