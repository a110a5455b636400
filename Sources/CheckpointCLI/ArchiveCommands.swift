import Archive
import ArgumentParser
import MappedIO
import Parallelism
import RemoteCheckpoints
import TensorBundle

extension DeltaCommand {
    struct Archive: StatusCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add every checkpoint of a training directory that the archive does not hold yet.",
            discussion: """
                Each new step becomes a delta against the newest step archived before it; a keyframe (a \\
                delta without a base) starts each chain. Delta files are written once and never modified; \\
                archive.json, replaced atomically, says which file holds which step. Checkpoints that fail \\
                verification are reported and skipped (exit status 1).
                """)

        @Argument(help: "The training directory, local or an s3:// or gs:// folder (then copied a checkpoint at a time).")
        var run: String

        @Argument(help: "The archive directory (created if needed), or an s3:// or gs:// folder.")
        var archive: String

        @Option(
            help: ArgumentHelp(
                "For a bucket archive: the storage class of the delta objects (s3://: STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE, …; gs://: STANDARD, NEARLINE, COLDLINE, ARCHIVE); archive.json stays STANDARD.",
                valueName: "class"))
        var storageClass: String?

        /// Google Cloud Storage's storage classes.
        static let googleClasses = ["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"]

        @Option(help: "Deltas allowed after a keyframe before the next keyframe.")
        var maxChain = 10

        @Option(help: "zstd level (1-19).")
        var level: Int32 = 1

        @OptionGroup var workers: WorkerOptions

        @Flag(name: .shortAndLong, help: "Print only problems.")
        var quiet = false

        @Flag(help: "Print what would be added and how (keyframe, or delta against which step), and change nothing.")
        var dryRun = false

        func validate() throws {
            guard maxChain >= 0, (1...19).contains(level) else {
                throw ValidationError("--max-chain takes 0 or more and --level 1...19")
            }
        }

        func execute() throws -> ToolStatus {
            if !RemoteSession.isRemote(run) { try Self.refuseSavedModels(run) }
            var archiver = Archiver()
            archiver.maxChain = maxChain
            archiver.level = level
            archiver.jobs = workers.jobs
            let quiet = quiet
            archiver.events = { event in
                switch event {
                case .skipped, .kept:
                    Terminal.diagnose(ArchiveOutput.line(event))
                default:
                    if !quiet { Terminal.print(ArchiveOutput.line(event)) }
                }
            }
            guard RemoteSession.isRemote(archive) || storageClass == nil else {
                throw ToolError(.usage, "--storage-class applies to bucket archives only")
            }
            if let storageClass, archive.hasPrefix("gs://"), !Self.googleClasses.contains(storageClass) {
                throw ToolError(
                    .usage,
                    "--storage-class \(storageClass): Google Cloud Storage's classes are \(Self.googleClasses.joined(separator: ", "))")
            }
            let bucket =
                RemoteSession.isRemote(archive)
                ? try BucketArchive(archive, storageClass: storageClass, in: RemoteSession.shared()) : nil
            archiver.publisher = bucket
            let directory = bucket?.staging.path ?? archive
            if dryRun {
                guard !RemoteSession.isRemote(run) else { throw ToolError(.usage, "--dry-run reads a local training directory") }
                let plan = try archiver.plan(run: run, into: directory)
                for skipped in plan.skipped { Terminal.diagnose(ArchiveOutput.line(.skipped(skipped))) }
                Terminal.print(ArchiveOutput.text(plan, archive: self.archive))
                return plan.skipped.isEmpty ? .clean : .findings
            }
            var source: any CheckpointSource =
                RemoteSession.isRemote(run) ? try StoreRun(run, in: RemoteSession.shared()) : try TrainingDirectory(path: run)
            if let bucket { archiver.unreadable = try bucket.prepare(for: source.run) }
            let report = try ProgressMeter.showing("archiving", if: !quiet) { progress in
                archiver.progress = progress
                return try archiver.archive(&source, into: directory)
            }
            if !quiet { Terminal.print(ArchiveOutput.summary(report, archive: self.archive)) }
            return report.skipped.isEmpty ? .clean : .findings
        }

        /// SavedModels hold more than a checkpoint (their graph, fingerprint and assets), which an
        /// archive does not keep: a SavedModel or a TF Serving model base path is refused, so the
        /// run never ends in "0 added" for a directory full of models.
        private static func refuseSavedModels(_ path: String) throws(ToolError) {
            let what: String
            switch try? CheckpointLocator.layout(of: path) {
            case .savedModel?: what = "a SavedModel"
            case .servingModel(let serving)?:
                what = "a TF Serving model base path (versions \(serving.versions.map { String($0.number) }.joined(separator: ", ")))"
            default: return
            }
            throw ToolError(
                .unsupported,
                "\(path): \(what); an archive keeps a training directory's checkpoints, not SavedModels (their graph, fingerprint and assets): archive the training directory they were exported from"
            )
        }
    }

    struct Restore: StatusCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild an archived step, byte for byte, into a directory TensorFlow can resume from.")

        @Argument(help: "The archive directory, or an s3:// or gs:// folder.")
        var archive: String

        @Option(help: "The step to restore.")
        var step: Int64?

        @Flag(help: "Restore the newest step.")
        var latest = false

        @Option(name: .shortAndLong, help: "The directory to write the checkpoint into.")
        var output: String

        @Flag(
            help:
                "Replace existing regular files (never a link, a special file or an archive file), and make the step the latest of the directory's existing `checkpoint` state file."
        )
        var force = false

        @OptionGroup var workers: WorkerOptions

        @Flag(name: .shortAndLong, help: "Print nothing on success.")
        var quiet = false

        func validate() throws {
            guard (step == nil) == latest else { throw ValidationError("give --step N or --latest") }
        }

        /// Restores `step` (nil: the newest) of the archive in `directory` into the output, with
        /// a progress bar on a terminal.
        private func restore(from directory: String, step: Int64?) throws -> Restorer.Restored {
            var restorer = Restorer()
            restorer.jobs = workers.jobs
            return try ProgressMeter.showing("restoring", if: !quiet) { (progress) throws in
                restorer.progress = progress
                return try restorer.restore(archive: directory, step: step, into: output, replacing: .forced(force))
            }
        }

        func execute() throws -> ToolStatus {
            let restored: Restorer.Restored
            if RemoteSession.isRemote(archive) {
                let bucket = try BucketArchive(archive, in: RemoteSession.shared())
                let wanted = try bucket.entry(step: step)
                let files = try BucketArchive.files(toRestore: wanted, manifest: bucket.manifest())
                let frozen = try bucket.frozen(files)
                guard frozen.isEmpty else { throw bucket.frozenError(frozen, what: "restoring step \(wanted.step)") }
                try bucket.fetch(files)
                restored = try restore(from: bucket.staging.path, step: wanted.step)
            } else {
                restored = try restore(from: archive, step: step)
            }
            let entry = restored.entry
            if !quiet {
                Terminal.print(
                    "restored step \(entry.step) (\(entry.checkpoint), \(Formatting.bytes(Int64(entry.rawSize)))) into \(output) from \(entry.depth + 1) archive file(s)"
                )
            }
            guard case .kept(let latest, let reason) = restored.state else { return .clean }
            // A training job resuming from this directory does not start from the restored step: say so, and how.
            let state = Path.join(output, CheckpointDirectory.stateFileName)
            Terminal.diagnose(
                "ckptdelta: \(state): kept as it is (\(reason)): a job resuming from \(output) starts from "
                    + "\(latest ?? "none of its checkpoints"); to resume from step \(entry.step), set model_checkpoint_path: \"\(entry.checkpoint)\" in it"
            )
            // Asked to make the step the latest (--force) and unable to: the job is not done.
            return force ? .findings : .clean
        }
    }

    struct List: StatusCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List an archive's steps: sizes, chain depth, ratio against the raw checkpoints.")

        @Argument(help: "The archive directory, or an s3:// or gs:// folder.")
        var archive: String

        @Flag(help: "Write one JSON document to standard output.")
        var json = false

        func execute() throws -> ToolStatus {
            let manifest =
                RemoteSession.isRemote(archive)
                ? try BucketArchive(archive, in: RemoteSession.shared()).manifest() : try ArchiveManifest.existing(directory: archive)
            if json {
                Terminal.document(ArchiveOutput.json(manifest).serialized() + "\n")
            } else {
                Terminal.print(ArchiveOutput.text(manifest))
            }
            return .clean
        }
    }

    struct VerifyArchive: StatusCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check an archive's files and chains without changing it.",
            discussion: "Exit status as ckptverify: 0 intact, 1 problems found, 2 trouble (no archive there).")

        @Argument(help: "The archive directory, or an s3:// or gs:// folder (its objects are copied to a staging directory first).")
        var archive: String

        @Flag(help: "Also rebuild every step in a scratch directory and check its hashes.")
        var deep = false

        @Option(help: "Where --deep rebuilds steps (default: $TMPDIR or /tmp); needs room for two checkpoints.")
        var scratch: String?

        @OptionGroup var workers: WorkerOptions

        @Flag(help: "Write one JSON document to standard output.")
        var json = false

        @Flag(name: .shortAndLong, help: "Print only problems.")
        var quiet = false

        /// Verifies the archive in `directory`, with a progress bar on a terminal while `--deep` rebuilds steps.
        private func verifying(_ directory: String) throws -> ArchiveReport {
            try ProgressMeter.showing("rebuilding steps", if: deep && !json && !quiet) { (progress) throws in
                var verifier = verifier
                verifier.progress = progress
                return try verifier.verify(archive: directory)
            }
        }

        private var verifier: ArchiveVerifier {
            var verifier = ArchiveVerifier()
            verifier.deep = deep
            verifier.jobs = workers.jobs
            if let scratch { verifier.scratchParent = scratch }
            return verifier
        }

        func execute() throws -> ToolStatus {
            let report: ArchiveReport
            if RemoteSession.isRemote(archive) {
                let bucket = try BucketArchive(archive, in: RemoteSession.shared())
                let names = bucket.names
                let frozen = try bucket.frozen(names)
                guard frozen.isEmpty else { throw bucket.frozenError(frozen, what: "verifying the archive") }
                try bucket.fetch(names)
                report = try verifying(bucket.staging.path).relocated(from: bucket.staging.path, to: bucket.location.description)
            } else {
                report = try verifying(archive)
            }
            if json {
                Terminal.document(ArchiveOutput.json(report).serialized() + "\n")
            } else {
                Terminal.print(ArchiveOutput.text(report, deep: deep, quiet: quiet))
            }
            return report.ok ? .clean : .findings
        }
    }

    struct Thaw: StatusCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask an object store to restore the archived objects a step needs (GLACIER, DEEP_ARCHIVE).",
            discussion: """
                Objects in an archive storage class cannot be read until restored, which takes hours. This \
                asks the store to restore exactly the chain of files that rebuilds the step (or every file \
                with --all), each for --days days; run `restore` again once they are readable.
                """)

        @Argument(help: "The s3:// archive folder (a gs:// one never needs a thaw).")
        var archive: String

        @Option(help: "The step whose chain to restore.")
        var step: Int64?

        @Flag(help: "The newest step's chain.")
        var latest = false

        @Flag(help: "Every file of the archive.")
        var all = false

        @Option(help: "Days the restored copies stay readable.")
        var days = 7

        @Option(help: "Retrieval tier: Standard, Bulk or Expedited.")
        var tier = "Standard"

        func validate() throws {
            guard [step != nil, latest, all].filter({ $0 }).count == 1 else { throw ValidationError("give --step N, --latest or --all") }
            guard (1...365).contains(days) else { throw ValidationError("--days takes 1...365") }
            guard ["Standard", "Bulk", "Expedited"].contains(tier) else {
                throw ValidationError("--tier takes Standard, Bulk or Expedited")
            }
        }

        func execute() throws -> ToolStatus {
            guard RemoteSession.isRemote(archive) else { throw ToolError(.usage, "\(archive): thaw applies to bucket archives only") }
            if archive.hasPrefix("gs://") {
                Terminal.print(
                    "\(archive): nothing to thaw: Google Cloud Storage reads objects of every storage class, ARCHIVE included, without a restore"
                )
                return .clean
            }
            let bucket = try BucketArchive(archive, in: RemoteSession.shared())
            let manifest = try bucket.manifest()
            let files =
                all
                ? manifest.entries.flatMap { [$0.file] + $0.companions.map(\.file) }
                : try BucketArchive.files(toRestore: bucket.entry(step: step), manifest: manifest)
            let frozen = try bucket.frozen(Array(Set(files)).sorted())
            let started = try bucket.thaw(frozen, days: days, tier: tier)
            Terminal.print(
                "\(bucket.location): \(files.count) file(s) needed, \(frozen.count) in an archive storage class: "
                    + "\(started) restore(s) started, \(frozen.count - started) already under way or done")
            return .clean
        }
    }
}
