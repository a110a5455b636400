import Archive
import ArgumentParser
import Delta
import MappedIO
import Parallelism
import RemoteCheckpoints

/// `ckptdelta`: compressed, byte-exact delta checkpoints.
public struct DeltaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ckptdelta",
        abstract: "Store a checkpoint as a compressed delta against an earlier one, and rebuild it byte for byte.",
        discussion: """
            Exit status: 0 on success; 1 when `archive` skipped a corrupt checkpoint or `verify` found a problem; \
            2 on trouble (a wrong base, a corrupt delta, an existing output).
            """,
        version: ToolVersion.current,
        subcommands: [Create.self, Apply.self, Info.self, Archive.self, Restore.self, List.self, VerifyArchive.self, Thaw.self])

    public init() {}
}

extension DeltaCommand {
    struct Create: StatusCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write TARGET as one delta file against BASE (or alone with --no-base).")

        @Argument(help: "The base checkpoint (omit with --no-base).")
        var checkpoints: [String]

        @Option(name: .shortAndLong, help: "The delta file to write.")
        var output: String

        @Flag(help: "Compress the target alone: the first link of a chain.")
        var noBase = false

        @Flag(help: "Overwrite an existing output file.")
        var force = false

        @Flag(help: "Store tensors whose bytes fail their checksums as they are (structural damage is still refused).")
        var allowDamaged = false

        @Flag(help: "Encode every tensor against its own base bytes only, not against what the optimizer's update rule predicts.")
        var noPredictions = false

        @Option(help: "zstd level (1-19); higher levels gain little on tensor planes and cost time.")
        var level: Int32 = 1

        @OptionGroup var workers: WorkerOptions

        @Flag(name: .shortAndLong, help: "Print nothing on success.")
        var quiet = false

        func validate() throws {
            guard checkpoints.count == (noBase ? 1 : 2) else {
                throw ValidationError(noBase ? "give the target checkpoint only" : "give BASE and TARGET (or --no-base TARGET)")
            }
            guard (1...19).contains(level) else { throw ValidationError("--level takes 1...19") }
        }

        func execute() throws -> ToolStatus {
            // Remote checkpoints are copied locally first; a remote output is written locally, then uploaded.
            let base = noBase ? nil : try StagedCheckpoint(checkpoints[0])
            let target = try StagedCheckpoint(checkpoints[checkpoints.count - 1])
            var creator = DeltaCreator()
            creator.level = level
            creator.jobs = workers.jobs
            creator.inputCheck = allowDamaged ? .allowDamagedData : .verify
            creator.predictions = !noPredictions
            let remote = RemoteSession.isRemote(output) ? try RemoteSession.folderAndName(of: output) : nil
            let staging = try remote.map { (remote) throws in try ScratchDirectory.staging(standingFor: remote.folder) }
            let local = staging.map { Path.join($0.path, Path.fileName(of: output)) } ?? output
            let (basePrefix, targetPrefix) = (try base?.bundlePrefix(), try target.bundlePrefix())
            let manifest = try ProgressMeter.showing("encoding \(Path.fileName(of: targetPrefix))", if: !quiet) {
                (progress) throws in
                creator.progress = progress
                return try creator.create(
                    base: basePrefix, target: targetPrefix, output: local, replacing: staging == nil ? .forced(force) : .never)
            }
            if let staging, let remote {
                try RemoteOutput.upload(
                    [remote.name], from: staging.path, to: remote.folder, force: force,
                    inputs: (base?.sources ?? []) + target.sources, in: RemoteSession.shared())
            }
            if !quiet { Terminal.print(DeltaOutput.summary(manifest, deltaPath: local, name: output)) }
            return .clean
        }
    }

    struct Apply: StatusCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the target checkpoint of DELTA (made against BASE) into a directory.")

        @Argument(help: "BASE DELTA, or DELTA alone for a delta made with --no-base.")
        var paths: [String]

        @Option(name: .shortAndLong, help: "The directory to write the checkpoint's files into.")
        var output: String

        @Flag(help: "Replace existing regular files (never a link, a special file or an input).")
        var force = false

        @OptionGroup var workers: WorkerOptions

        func validate() throws {
            guard (1...2).contains(paths.count) else { throw ValidationError("give BASE DELTA, or DELTA alone") }
        }

        func execute() throws -> ToolStatus {
            // Remote inputs are copied locally first; a remote output folder gets the rebuilt files once complete.
            let base = paths.count == 2 ? try StagedCheckpoint(paths[0]) : nil
            let staging = try ScratchDirectory.staging(standingFor: nil)
            let deltaPath = paths[paths.count - 1]
            let delta = try StagedCheckpoint.file(deltaPath, staging: staging)
            var applier = DeltaApplier()
            applier.jobs = workers.jobs
            let basePrefix = try base?.bundlePrefix()
            let remote = RemoteSession.isRemote(output)
            let rebuilt = remote ? Path.join(staging.path, "rebuilt") : output
            if remote { ScratchDirectory.record(rebuilt, standsFor: try RemoteSession.location(output).description) }
            try ProgressMeter.showing("rebuilding \(Path.fileName(of: deltaPath))") { (progress) throws in
                applier.progress = progress
                try applier.apply(delta: delta, base: basePrefix, into: rebuilt, replacing: remote ? .never : .forced(force))
            }
            guard remote else { return .clean }
            let inputs = (base?.sources ?? []) + (RemoteSession.isRemote(deltaPath) ? [deltaPath] : [])
            try RemoteOutput.upload(
                try RemoteOutput.checkpointFiles(in: rebuilt), from: rebuilt, to: output, force: force, inputs: inputs,
                in: RemoteSession.shared())
            return .clean
        }
    }

    struct Info: StatusCommand {
        static let configuration = CommandConfiguration(abstract: "Show what a delta holds.")

        @Argument(help: "The delta file (local or s3://).")
        var delta: String

        @Flag(help: "Write one JSON document to standard output.")
        var json = false

        func execute() throws -> ToolStatus {
            let staging = try ScratchDirectory.staging(standingFor: nil)
            let file = try DeltaFile(path: StagedCheckpoint.file(delta, staging: staging))
            if json {
                Terminal.document(DeltaOutput.json(file, name: delta).serialized() + "\n")
            } else {
                Terminal.print(DeltaOutput.text(file, name: delta))
            }
            return .clean
        }
    }
}
