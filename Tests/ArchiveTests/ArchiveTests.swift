import Archive
import FixtureSupport
import Foundation
import MappedIO
import TensorBundle
import Testing

/// Archives fixture training runs, restores every step and compares every byte.
@Suite struct ArchiveTests {
    /// Restores every step of `archive` and checks each against the checkpoint at
    /// `sources[step]`, and that the `checkpoint` state file names it.
    func expectRestoresEveryStep(_ archive: String, sources: [Int64: String], scratch: TemporaryDirectory) throws {
        let manifest = try ArchiveManifest.existing(directory: archive)
        #expect(Set(manifest.entries.map(\.step)) == Set(sources.keys))
        for (step, prefix) in sources {
            let output = scratch.path("restored-\(step)-\(UInt32.random(in: 0...UInt32.max))")
            let restoredProgress = ProgressRecorder()
            var restorer = Restorer()
            restorer.progress = restoredProgress.progress
            let entry = try restorer.restore(archive: archive, step: step, into: output).entry
            // The data of every link of the step's chain, rebuilt once.
            let chain = try manifest.chain(to: entry).reduce(Int64(0)) { $0 + Int64($1.rawSize) }
            #expect(restoredProgress.planned == chain && restoredProgress.done == chain && !restoredProgress.ranAhead)
            var restored = try TestFiles.contents(ofDirectory: output)
            let stateFile = restored.removeValue(forKey: "checkpoint")
            let state = String(decoding: try #require(stateFile), as: UTF8.self)
            #expect(state.hasPrefix("model_checkpoint_path: \"\(entry.checkpoint)\"\n"))
            // The bundle and its companion files (a TF1 `.meta`), byte for byte.
            var expected = try TestFiles.checkpoint(prefix)
            if FileManager.default.fileExists(atPath: prefix + ".meta") {
                expected[URL(fileURLWithPath: prefix).lastPathComponent + ".meta"] = TestFiles.read(prefix + ".meta")
            }
            #expect(restored == expected, "step \(step)")
        }
    }

    /// Moves the files of `directory` whose names start with one of `prefixes` into `destination`
    /// (created if needed): checkpoints saved later, or deleted by `max_to_keep`.
    func move(_ prefixes: [String], from directory: String, to destination: String) throws {
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where prefixes.contains(where: name.hasPrefix) {
            try FileManager.default.moveItem(atPath: directory + "/" + name, toPath: destination + "/" + name)
        }
    }

    /// The checkpoints of a fixture run, by step.
    func steps(of directory: String) throws -> [Int64: String] {
        Dictionary(uniqueKeysWithValues: try TrainingRun(path: directory).checkpoints.map { ($0.step, $0.prefix) })
    }

    @Test(arguments: ["tf2_keras_adam", "tf1_saver", "sharded_tf1"])
    func archivesAndRestoresEveryStep(run: String) throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        let archived = ProgressRecorder()
        var archiver = Archiver()
        archiver.progress = archived.progress
        let report = try archiver.archive(run: Fixtures.path(run), into: archive)
        let sources = try steps(of: Fixtures.path(run))
        let dataBytes = sources.values.reduce(0) { $0 + BundleFiles.dataBytes(prefix: $1) }
        #expect(archived.planned == dataBytes && archived.done == dataBytes && !archived.ranAhead)
        #expect(report.added.map(\.step) == sources.keys.sorted())
        #expect(report.skipped.isEmpty && report.removed.isEmpty)
        #expect(report.added.first?.isKeyframe == true)
        if run == "tf2_keras_adam" {
            // Every later step of a real training run is cheaper as a delta than alone.
            #expect(report.added.dropFirst().allSatisfy { !$0.isKeyframe && $0.size < report.added[0].size })
        }
        try expectRestoresEveryStep(archive, sources: sources, scratch: directory)
        let rebuilt = ProgressRecorder()
        var verifier = ArchiveVerifier()
        verifier.deep = true
        verifier.scratchParent = directory.path
        verifier.progress = rebuilt.progress
        #expect(try verifier.verify(archive: archive).findings.isEmpty)
        // Each step rebuilt once, from the one before it: its index and data files.
        let files = report.added.reduce(Int64(0)) { $0 + Int64($1.rawSize) }
        #expect(files > dataBytes && rebuilt.planned == files && rebuilt.done == files && !rebuilt.ranAhead)
        // A second run finds nothing new and changes nothing.
        let before = try TestFiles.contents(ofDirectory: archive)
        #expect(try Archiver().archive(run: Fixtures.path(run), into: archive).added.isEmpty)
        #expect(try TestFiles.contents(ofDirectory: archive) == before)
    }

    /// Steps archived over several runs, with older checkpoints deleted from the training
    /// directory in between (as `max_to_keep` does): the base of a new step is rebuilt from the
    /// archive, and files already archived never change.
    @Test func incrementalRunsAddOnlyWhatIsNew() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let archive = directory.path("archive")
        let later = directory.path("later")
        try move(["ckpt-10.", "ckpt-11.", "ckpt-40."], from: run, to: later)
        #expect(try Archiver().archive(run: run, into: archive).added.map(\.step) == [1, 2, 3])
        let first = try TestFiles.contents(ofDirectory: archive).filter { $0.key.hasSuffix(".ckptdelta") }
        try move(["ckpt-"], from: run, to: directory.path("deleted"))
        try move([""], from: later, to: run)
        let second = try Archiver().archive(run: run, into: archive)
        #expect(second.added.map(\.step) == [10, 11, 40])
        #expect(second.added[0].baseStep == 3)
        let after = try TestFiles.contents(ofDirectory: archive)
        for (name, bytes) in first { #expect(after[name] == bytes, "\(name) changed") }
        try expectRestoresEveryStep(archive, sources: try steps(of: Fixtures.path("tf2_keras_adam")), scratch: directory)
    }

    @Test(arguments: [0, 1, 2])
    func chainsNeverGrowPastTheirLimit(maxChain: Int) throws {
        let directory = TemporaryDirectory()
        var archiver = Archiver()
        archiver.maxChain = maxChain
        let added = try archiver.archive(run: Fixtures.path("tf2_keras_adam"), into: directory.path("a")).added
        #expect(added.allSatisfy { $0.depth <= maxChain })
        #expect(added.map(\.depth).max() == min(maxChain, added.count - 1) || added.contains { $0.isKeyframe && $0.step > 1 })
        for (previous, entry) in zip(added, added.dropFirst()) {
            #expect(entry.isKeyframe || (entry.baseStep == previous.step && entry.depth == previous.depth + 1))
            if previous.depth < maxChain && entry.isKeyframe {
                // An early keyframe only where a delta would not have been smaller.
                #expect(entry.size < entry.rawSize)
            }
        }
        if maxChain == 0 { #expect(added.allSatisfy { $0.isKeyframe }) }
    }

    /// A checkpoint that fails verification is reported, never archived, and archived by a
    /// later run once it is whole again.
    @Test func corruptSourceIsSkippedUntilRepaired() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let archive = directory.path("archive")
        let data = run + "/ckpt-2.data-00000-of-00001"
        let original = TestFiles.read(data)
        var damaged = original
        damaged[damaged.count / 2] ^= 0x40
        TestFiles.write(damaged, to: data)
        let report = try Archiver().archive(run: run, into: archive)
        #expect(report.skipped.map(\.checkpoint) == ["ckpt-2"])
        #expect(report.skipped[0].reason.contains("fails verification"))
        #expect(report.added.map(\.step) == [1, 3, 10, 11, 40])
        #expect(report.added[1].baseStep == 1)
        TestFiles.write(original, to: data)
        let repaired = try Archiver().archive(run: run, into: archive)
        #expect(repaired.added.map(\.step) == [2] && repaired.added[0].baseStep == 1)
        try expectRestoresEveryStep(archive, sources: try steps(of: run), scratch: directory)
    }

    /// What a killed run can leave (a complete but unlisted delta file, temporary files, a
    /// scratch directory) is reported by `verify` as harmless; the next run removes the debris
    /// and lists the complete delta again.
    @Test func leftoversOfAKilledRunAreCleanedUp() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: run, into: archive)
        // A run killed after linking step 40's delta, before its manifest: the manifest without 40.
        let complete = TestFiles.read(archive + "/" + ArchiveManifest.fileName)
        var manifest = try ArchiveManifest.existing(directory: archive)
        manifest = ArchiveManifest(entries: manifest.entries.filter { $0.step != 40 })
        TestFiles.write(Array(manifest.encoded().utf8), to: archive + "/" + ArchiveManifest.fileName)
        let debris = [
            "archive.json.tempstate42", "ckpt-40.key.ckptdelta.tempstate7", ".ckptdelta-scratch-x", "ckpt-40.meta.zst.tempstate9",
        ]
        TestFiles.write([1, 2, 3], to: archive + "/" + debris[0])
        TestFiles.write([], to: archive + "/" + debris[1])
        TestFiles.write([4], to: archive + "/" + debris[3])
        try FileManager.default.createDirectory(atPath: archive + "/" + debris[2] + "/1", withIntermediateDirectories: true)
        TestFiles.write([0], to: archive + "/" + debris[2] + "/1/ckpt-3.index")
        let report = try ArchiveVerifier().verify(archive: archive)
        #expect(report.ok)
        #expect(
            report.findings.map(\.code).sorted() == ["file.leftover", "file.leftover", "file.leftover", "file.leftover", "file.unlisted"])
        let next = try Archiver().archive(run: run, into: archive)
        #expect(Set(next.removed) == Set(debris))
        #expect(next.adopted.map(\.step) == [40] && next.added.isEmpty)
        #expect(TestFiles.read(archive + "/" + ArchiveManifest.fileName) == complete)
        #expect(try ArchiveVerifier().verify(archive: archive).findings.isEmpty)
        try expectRestoresEveryStep(archive, sources: try steps(of: Fixtures.path("tf2_keras_adam")), scratch: directory)
    }

    /// Only what the archive's own records prove it wrote is ever removed: files a person put
    /// in an archive stay, a directory that is not an archive is refused, and a keyframe whose
    /// entry the manifest lost is listed again, with the chain behind it intact.
    @Test func filesNotOursAreNeverDeleted() throws {
        let directory = TemporaryDirectory()
        let notAnArchive = directory.path("papers")
        try FileManager.default.createDirectory(atPath: notAnArchive, withIntermediateDirectories: true)
        TestFiles.write([1], to: notAnArchive + "/thesis.ckptdelta")
        TestFiles.write([2], to: notAnArchive + "/draft.tempstate1")
        #expect(throws: ArchiveError.self) { try Archiver().archive(run: Fixtures.path("tf1_saver"), into: notAnArchive) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: notAnArchive).sorted() == ["draft.tempstate1", "thesis.ckptdelta"])

        let archive = directory.path("archive")
        _ = try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive)
        let foreign = ["notes.ckptdelta", "notes.txt.tempstate5", "ckpt-2.ckptdelta.bak", "mine.zst"]
        for name in foreign { TestFiles.write([7, 7], to: archive + "/" + name) }
        // The manifest loses step 1, the keyframe every later step depends on.
        let manifest = try ArchiveManifest.existing(directory: archive)
        TestFiles.write(
            Array(ArchiveManifest(entries: Array(manifest.entries.dropFirst())).encoded().utf8),
            to: archive + "/" + ArchiveManifest.fileName)
        let verdict = try ArchiveVerifier().verify(archive: archive)
        #expect(verdict.findings.contains { $0.code == "file.unlisted" && $0.file == archive + "/ckpt-1.key.ckptdelta" })
        #expect(verdict.findings.filter { $0.code == "file.foreign" }.count == foreign.count)
        let next = try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive)
        #expect(next.adopted.map(\.step) == [1] && next.removed.isEmpty && Set(next.kept) == Set(foreign))
        for name in foreign { #expect(TestFiles.read(archive + "/" + name) == [7, 7]) }
        #expect(try ArchiveManifest.existing(directory: archive) == manifest)
        try expectRestoresEveryStep(archive, sources: try steps(of: Fixtures.path("tf2_keras_adam")), scratch: directory)
    }

    /// A file that is not ours where a new step's delta would go stops that step and stays.
    @Test func aFileInTheWayIsNeverReplaced() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        let kept = directory.path("kept")
        try move(["ckpt-40."], from: run, to: kept)
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: run, into: archive)
        TestFiles.write([9, 9, 9], to: archive + "/ckpt-40.ckptdelta")
        try move([""], from: kept, to: run)
        let next = try Archiver().archive(run: run, into: archive)
        #expect(next.added.isEmpty && next.skipped.map(\.checkpoint) == ["ckpt-40"])
        #expect(next.skipped.first?.reason.contains("ckpt-40.ckptdelta is in the way") == true)
        #expect(TestFiles.read(archive + "/ckpt-40.ckptdelta") == [9, 9, 9])
    }

    /// A damaged companion is reported by `verify` and refused by `restore`.
    @Test func damagedCompanionsAreCaught() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: Fixtures.path("tf1_saver"), into: archive)
        let stored = archive + "/model.ckpt-30.meta.zst"
        #expect(
            try ArchiveManifest.existing(directory: archive).entries.allSatisfy { $0.companions.map(\.file) == ["model.ckpt-30.meta.zst"] },
            "identical MetaGraphs are stored once")
        var bytes = TestFiles.read(stored)
        bytes[bytes.count / 2] ^= 0x40
        TestFiles.write(bytes, to: stored)
        let report = try ArchiveVerifier().verify(archive: archive)
        #expect(report.findings.filter { $0.code == "file.mismatch" }.count == 3)
        #expect(throws: ArchiveError.self) {
            try Restorer().restore(archive: archive, step: 50, into: directory.path("out"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("out/checkpoint")))
        #expect(!FileManager.default.fileExists(atPath: directory.path("out/model.ckpt-50.index")))
    }

    /// A manifest edited to say a step is another checkpoint than its delta rebuilds is refused
    /// by restore before anything is written.
    @Test func restoreCrossChecksTheManifestWithEachDelta() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive)
        let manifest = try ArchiveManifest.existing(directory: archive)
        let text = String(decoding: TestFiles.read(archive + "/" + ArchiveManifest.fileName), as: UTF8.self)
        // Step 11's entry points at step 10's file, whose delta rebuilds ckpt-10.
        let swapped = text.replacingOccurrences(of: "\"file\":\"ckpt-11.ckptdelta\"", with: "\"file\":\"ckpt-10.ckptdelta\"")
        #expect(swapped != text)
        TestFiles.write(Array(swapped.utf8), to: archive + "/" + ArchiveManifest.fileName)
        #expect(throws: ArchiveError.self) { try ArchiveManifest.existing(directory: archive) }
        // The same, with step 10's delta copied under step 11's name and the manifest made to match.
        let entries = manifest.entries.map { entry in
            entry.step == 11
                ? ArchiveEntry(
                    step: 11, checkpoint: "ckpt-11", file: "ckpt-11.ckptdelta", size: manifest.entry(step: 10)!.size,
                    hash: manifest.entry(step: 10)!.hash, baseStep: 10, depth: entry.depth, rawSize: entry.rawSize)
                : entry
        }
        try FileManager.default.removeItem(atPath: archive + "/ckpt-11.ckptdelta")
        try FileManager.default.copyItem(atPath: archive + "/ckpt-10.ckptdelta", toPath: archive + "/ckpt-11.ckptdelta")
        TestFiles.write(Array(ArchiveManifest(entries: entries).encoded().utf8), to: archive + "/" + ArchiveManifest.fileName)
        let output = directory.path("out")
        #expect(throws: ArchiveError.self) { try Restorer().restore(archive: archive, step: 11, into: output) }
        #expect(!FileManager.default.fileExists(atPath: output + "/checkpoint"))
        #expect(
            !FileManager.default.fileExists(atPath: output + "/ckpt-10.index")
                && !FileManager.default.fileExists(atPath: output + "/ckpt-11.index"))
        let verdict = try ArchiveVerifier().verify(archive: archive)
        #expect(verdict.findings.map(\.code).contains("chain.target"))
    }

    @Test func verifyNamesDamage() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive)
        let manifestPath = archive + "/" + ArchiveManifest.fileName
        let pristine = TestFiles.read(manifestPath)

        var flipped = TestFiles.read(archive + "/ckpt-11.ckptdelta")
        flipped[100] ^= 1
        TestFiles.write(flipped, to: archive + "/ckpt-11.ckptdelta")
        try FileManager.default.removeItem(atPath: archive + "/ckpt-3.ckptdelta")
        let damaged = try ArchiveVerifier().verify(archive: archive)
        #expect(!damaged.ok)
        #expect(damaged.findings.map(\.code).sorted() == ["file.mismatch", "file.missing"])
        #expect(damaged.findings.first { $0.code == "file.mismatch" }?.file == archive + "/ckpt-11.ckptdelta")
        let missing = #expect(throws: FileError.self) {
            try Restorer().restore(archive: archive, step: 11, into: directory.path("o"))
        }
        #expect(missing?.code == .notFound && missing?.path == archive + "/ckpt-3.ckptdelta")
        #expect(!FileManager.default.fileExists(atPath: directory.path("o/ckpt-11.index")))

        // A manifest that points a delta at the wrong base.
        let fresh = directory.path("fresh")
        _ = try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: fresh)
        let text = String(decoding: TestFiles.read(fresh + "/" + ArchiveManifest.fileName), as: UTF8.self)
        let relinked = text.replacingOccurrences(of: "\"base_step\":2,\"depth\":2", with: "\"base_step\":1,\"depth\":1")
        #expect(relinked != text)
        TestFiles.write(Array(relinked.utf8), to: fresh + "/" + ArchiveManifest.fileName)
        let links = try ArchiveVerifier().verify(archive: fresh)
        // Step 3 now claims step 1 as its base (which it was not made against), and step 10
        // sits at the wrong depth behind it.
        #expect(links.findings.map(\.code) == ["chain.base_mismatch", "chain.depth"])

        TestFiles.write(Array(pristine.prefix(pristine.count / 2)), to: manifestPath)
        #expect(throws: ArchiveError.self) { try ArchiveVerifier().verify(archive: archive) }
    }

    @Test func restoreRefusesWhatItMustNotDo() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive)
        let output = directory.path("out")
        try Restorer().restore(archive: archive, step: 10, into: output)
        let restored = try TestFiles.contents(ofDirectory: output)
        let again = #expect(throws: FileError.self) { try Restorer().restore(archive: archive, step: 10, into: output) }
        #expect(again?.code == .alreadyExists)
        #expect(try TestFiles.contents(ofDirectory: output) == restored)
        try Restorer().restore(archive: archive, step: 10, into: output, replacing: .regularFile())
        // The directory's state file names ckpt-10: restoring ckpt-40 beside it keeps it so,
        // unless asked (a training job resuming there would otherwise jump to another step).
        let stateOf10 = TestFiles.read(output + "/checkpoint")
        let kept = try Restorer().restore(archive: archive, step: nil, into: output)
        #expect(kept.entry.step == 40)
        guard case .kept(let latest, _) = kept.state else { Issue.record("state file changed: \(kept.state)"); return }
        #expect(latest == "ckpt-10" && TestFiles.read(output + "/checkpoint") == stateOf10)
        let forced = try Restorer().restore(archive: archive, step: nil, into: output, replacing: .regularFile())
        #expect(forced.state == .updated)
        let state = String(decoding: TestFiles.read(output + "/checkpoint"), as: UTF8.self)
        #expect(
            state
                == "model_checkpoint_path: \"ckpt-40\"\nall_model_checkpoint_paths: \"ckpt-10\"\nall_model_checkpoint_paths: \"ckpt-40\"\n")
        #expect(throws: ArchiveError.self) { try Restorer().restore(archive: archive, step: 99, into: output) }
        #expect(throws: ArchiveError.self) {
            try Restorer().restore(archive: Fixtures.path("dtypes"), step: nil, into: output)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test func oneArchiveRunAtATime() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: false)
        do {
            let lock = try DirectoryLock(directory: archive, name: Archiver.lockName)
            defer { withExtendedLifetime(lock) {} }
            #expect {
                try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive)
            } throws: { error in
                (error as? FileError)?.code == .busy && "\(error)".contains("another process")
            }
        }
        #expect(try Archiver().archive(run: Fixtures.path("tf2_keras_adam"), into: archive).added.count == 6)
    }

    /// The archive's clean-up removes temporary files, so it must never run in a training
    /// directory, where they belong to TensorFlow's saves in progress.
    @Test func refusesToArchiveIntoTheTrainingDirectory() throws {
        let directory = TemporaryDirectory()
        let run = directory.copy(fixture: "tf2_keras_adam")
        TestFiles.write([1], to: run + "/ckpt-41.index.tempstate123")
        #expect(throws: ArchiveError.self) { try Archiver().archive(run: run, into: run + "/.") }
        #expect(FileManager.default.fileExists(atPath: run + "/ckpt-41.index.tempstate123"))
    }

    @Test func manifestRoundTripsAndRejectsDamage() throws {
        let directory = TemporaryDirectory()
        let archive = directory.path("archive")
        _ = try Archiver().archive(run: Fixtures.path("tf1_saver"), into: archive)
        let manifest = try ArchiveManifest.existing(directory: archive)
        #expect(String(decoding: TestFiles.read(archive + "/" + ArchiveManifest.fileName), as: UTF8.self) == manifest.encoded())
        let text = manifest.encoded()
        for damaged in [
            text.replacingOccurrences(of: "\"version\":2", with: "\"version\":3"),
            text.replacingOccurrences(of: manifest.entries[1].hash.description, with: manifest.entries[1].hash.description.uppercased()),
            text.replacingOccurrences(of: "\"checkpoint\":\"model.ckpt-40\"", with: "\"checkpoint\":\"model.ckpt-41\""),
            text.replacingOccurrences(of: "\"name\":\"model.ckpt-30.meta\"", with: "\"name\":\"../model.ckpt-30.meta\""),
            reordered(text),
            text.replacingOccurrences(of: "\"step\":40", with: "\"step\":30"),
            text.replacingOccurrences(of: "\"file\":\"model.ckpt-40.ckptdelta\"", with: "\"file\":\"../x\""),
            text.replacingOccurrences(of: "\"depth\":1", with: "\"depth\":-1"),
            String(text.dropLast(3)),
        ] {
            #expect(damaged != text)
            TestFiles.write(Array(damaged.utf8), to: archive + "/" + ArchiveManifest.fileName)
            #expect(throws: ArchiveError.self) { try ArchiveManifest.existing(directory: archive) }
        }
    }

    /// `text` with its first two entry lines swapped (both end in a comma: three entries or more).
    func reordered(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.swapAt(1, 2)
        return lines.joined(separator: "\n")
    }
}
