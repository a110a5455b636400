import Archive
import ArgumentParser
import Parallelism

extension DeltaCommand {
    struct Archive: DeltaSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Add every checkpoint of a training directory that the archive does not hold yet.",
            discussion: """
                Each new step becomes a delta against the newest step archived before it; a keyframe (a \\
                delta without a base) starts each chain. Delta files are written once and never modified; \\
                archive.json, replaced atomically, says which file holds which step. Checkpoints that fail \\
                verification are reported and skipped (exit status 1).
                """)

        @Argument(help: "The training directory.")
        var run: String

        @Argument(help: "The archive directory (created if needed).")
        var archive: String

        @Option(help: "Deltas allowed after a keyframe before the next keyframe.")
        var maxChain = 10

        @Option(help: "zstd level (1-19).")
        var level: Int32 = 1

        @Option(help: "Worker threads (default: all cores).")
        var jobs: Int = Parallelism.availableCores

        @Flag(name: .shortAndLong, help: "Print only problems.")
        var quiet = false

        func validate() throws {
            guard maxChain >= 0, (1...19).contains(level), jobs >= 1 else {
                throw ValidationError("--max-chain takes 0 or more, --level 1...19 and --jobs at least 1")
            }
        }

        func perform() throws -> ToolStatus {
            var archiver = Archiver()
            archiver.maxChain = maxChain
            archiver.level = level
            archiver.jobs = jobs
            let quiet = quiet
            archiver.progress = { event in
                switch event {
                case .skipped, .kept:
                    Terminal.error(ArchiveOutput.line(event))
                default:
                    if !quiet { Terminal.out(ArchiveOutput.line(event)) }
                }
            }
            let report = try archiver.archive(run: run, into: self.archive)
            if !quiet { Terminal.out(ArchiveOutput.summary(report, archive: self.archive)) }
            return report.skipped.isEmpty ? .clean : .findings
        }
    }

    struct Restore: DeltaSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild an archived step, byte for byte, into a directory TensorFlow can resume from.")

        @Argument(help: "The archive directory.")
        var archive: String

        @Option(help: "The step to restore.")
        var step: Int64?

        @Flag(help: "Restore the newest step.")
        var latest = false

        @Option(name: .shortAndLong, help: "The directory to write the checkpoint into.")
        var output: String

        @Flag(help: "Overwrite existing files.")
        var force = false

        @Option(help: "Worker threads (default: all cores).")
        var jobs: Int = Parallelism.availableCores

        @Flag(name: .shortAndLong, help: "Print nothing on success.")
        var quiet = false

        func validate() throws {
            guard (step == nil) == latest else { throw ValidationError("give --step N or --latest") }
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        }

        func perform() throws -> ToolStatus {
            var restorer = Restorer()
            restorer.jobs = jobs
            let entry = try restorer.restore(archive: archive, step: step, into: output, overwrite: force)
            if !quiet {
                Terminal.out("restored step \(entry.step) (\(entry.checkpoint), \(Formatting.bytes(Int64(entry.rawSize)))) into \(output) from \(entry.depth + 1) archive file(s)\n")
            }
            return .clean
        }
    }

    struct List: DeltaSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List an archive's steps: sizes, chain depth, ratio against the raw checkpoints.")

        @Argument(help: "The archive directory.")
        var archive: String

        @Flag(help: "Write one JSON document to standard output.")
        var json = false

        func perform() throws -> ToolStatus {
            let manifest = try ArchiveManifest.existing(directory: archive)
            Terminal.out(json ? ArchiveOutput.json(manifest).serialized() + "\n" : ArchiveOutput.text(manifest))
            return .clean
        }
    }

    struct VerifyArchive: DeltaSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check an archive's files and chains without changing it.",
            discussion: "Exit status as ckptverify: 0 intact, 1 problems found, 2 trouble (no archive there).")

        @Argument(help: "The archive directory.")
        var archive: String

        @Flag(help: "Also rebuild every step in a scratch directory and check its hashes.")
        var deep = false

        @Option(help: "Where --deep rebuilds steps (default: $TMPDIR or /tmp); needs room for two checkpoints.")
        var scratch: String?

        @Option(help: "Worker threads (default: all cores).")
        var jobs: Int = Parallelism.availableCores

        @Flag(help: "Write one JSON document to standard output.")
        var json = false

        @Flag(name: .shortAndLong, help: "Print only problems.")
        var quiet = false

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        }

        func perform() throws -> ToolStatus {
            var verifier = ArchiveVerifier()
            verifier.deep = deep
            verifier.jobs = jobs
            if let scratch { verifier.scratchParent = scratch }
            let report = try verifier.verify(archive: archive)
            Terminal.out(json ? ArchiveOutput.json(report).serialized() + "\n" : ArchiveOutput.text(report, deep: deep, quiet: quiet))
            return report.ok ? .clean : .findings
        }
    }
}
