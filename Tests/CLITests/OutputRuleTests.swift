import FixtureSupport
import Foundation
import Testing

/// One rule for every file any tool writes (`-o`, `--html`, `--junit`, restores): an existing
/// path is refused unless `--force`; `--force` replaces only a regular file that the command
/// does not read; a link is never followed, a FIFO or device never replaced.
@Suite struct OutputRuleTests {
    /// Runs `tool` and expects exit 2 with one line naming `path` and saying `cause`.
    static func expectRefused(_ tool: String, _ arguments: [String], naming path: String, cause: String) throws {
        let result = try ToolRunner.run(tool, arguments, timeLimit: 60)
        let context = "\(tool) \(arguments.joined(separator: " ")): status \(result.status), \(result.standardError)"
        #expect(result.status == 2 && !result.timedOut, "\(context)")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(context)")
        #expect(result.standardError.contains(path) && result.standardError.contains(cause), "\(context)")
    }

    /// The outputs of every tool, each aimed at an existing file, a file the command reads, a
    /// link and a FIFO: none is replaced, and `--force` replaces only the plain file.
    @Test func noOutputReplacesWhatItMustNot() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let (a, b) = (run + "/ckpt-10", run + "/ckpt-11")
        let original = try TestFiles.checkpoint(a)
        let existing = directory.path("existing.txt")
        let victim = directory.path("victim.txt")
        TestFiles.write(Array("mine".utf8), to: existing)
        TestFiles.write(Array("keep me".utf8), to: victim)
        let link = directory.path("link")
        #expect(symlink(victim, link) == 0)
        let fifo = directory.path("fifo")
        #expect(mkfifo(fifo, 0o644) == 0)
        // The instance that destroyed a checkpoint: its own index as the page.
        let outputs: [(tool: String, arguments: (String) -> [String])] = [
            ("ckptdiff", { ["--html", $0, a, b] }),
            ("ckptverify", { ["--junit", $0, a] }),
            ("ckptdelta", { ["create", a, b, "-o", $0] }),
        ]
        for (tool, arguments) in outputs {
            // `--force` last: after the subcommand, where it belongs.
            let forced = { (path: String) in arguments(path) + ["--force"] }
            try Self.expectRefused(tool, arguments(a + ".index"), naming: a + ".index", cause: "not replaced without --force")
            try Self.expectRefused(tool, forced(a + ".index"), naming: a + ".index", cause: "input of this command")
            try Self.expectRefused(tool, arguments(existing), naming: existing, cause: "not replaced without --force")
            try Self.expectRefused(tool, forced(link), naming: link, cause: "symbolic link")
            try Self.expectRefused(tool, forced(fifo), naming: fifo, cause: "FIFO")
            try Self.expectRefused(tool, forced("/dev/null"), naming: "/dev/null", cause: "character device")
            let replaced = try ToolRunner.run(tool, forced(existing), timeLimit: 60)
            #expect([0, 1].contains(replaced.status), "\(tool): \(replaced.standardError)")
            #expect(TestFiles.read(existing) != Array("mine".utf8))
            TestFiles.write(Array("mine".utf8), to: existing)
        }
        #expect(try TestFiles.checkpoint(a) == original)
        #expect(TestFiles.read(victim) == Array("keep me".utf8))
    }

    /// `apply` and `restore` write checkpoint files into a directory: neither replaces a file
    /// of its base, its delta or its archive, even with `--force`.
    @Test func rebuiltCheckpointsNeverReplaceTheirInputs() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let original = try TestFiles.contents(ofDirectory: run)
        // A delta of ckpt-10 against itself rebuilds files named as its base's.
        let delta = directory.path("same.ckptdelta")
        let created = try ToolRunner.run("ckptdelta", ["create", run + "/ckpt-10", run + "/ckpt-10", "-o", delta])
        #expect(created.status == 0, "\(created.standardError)")
        try Self.expectRefused(
            "ckptdelta", ["apply", "--force", run + "/ckpt-10", delta, "-o", run], naming: run + "/ckpt-10", cause: "input of this command")
        // Into a link to its base's directory: the same files, the same refusal.
        #expect(symlink(run, directory.path("linked")) == 0)
        try Self.expectRefused(
            "ckptdelta", ["apply", "--force", run + "/ckpt-10", delta, "-o", directory.path("linked")], naming: "ckpt-10",
            cause: "input of this command")
        #expect(try TestFiles.contents(ofDirectory: run) == original)
        // Restoring into the archive itself replaces none of its files.
        let archive = directory.path("archive")
        #expect(try ToolRunner.run("ckptdelta", ["archive", "--quiet", Fixtures.path("tf1_saver"), archive]).status == 0)
        let archived = try TestFiles.contents(ofDirectory: archive)
        let restored = try ToolRunner.run("ckptdelta", ["restore", "--force", archive, "--latest", "-o", archive])
        #expect(restored.status == 0, "\(restored.standardError)")
        let after = try TestFiles.contents(ofDirectory: archive)
        #expect(archived.allSatisfy { after[$0.key] == $0.value })
    }
}
