import MappedIO
import TensorBundle

/// The local files a command reads, which none of its outputs may replace, even with `--force`
/// (`ckptdiff --html run/ckpt-10.index run/ckpt-10 run/ckpt-11` must not destroy ckpt-10).
enum InputFiles {
    /// The files of the checkpoints at `prefixes` (index, data files, companions), the state
    /// files of the training directories `directories`, and `files`. Remote paths name no
    /// local file and add nothing.
    static func of(checkpoints prefixes: [String], directories: [String] = [], files: [String] = []) -> Set<FileIdentity> {
        FileIdentity.of(
            prefixes.flatMap(BundleFiles.existing) + directories.map { Path.join($0, CheckpointDirectory.stateFileName) } + files)
    }
}

/// An output path named on the command line, checked before a command starts its work.
enum OutputPath {
    /// Fails when an output may not be written at `path` (see ``Replacement``); with `force`,
    /// the check that it is not an input comes when the command writes it.
    static func check(_ path: String, force: Bool) throws {
        try Replacement.forced(force).check(path)
    }
}
