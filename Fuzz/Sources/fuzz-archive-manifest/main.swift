import Archive
import FuzzSupport
import MappedIO

@testable import CheckpointCLI

// `archive.json` beside the real delta files of an archived TF1 run (with `.meta` companions):
// the strict JSON parser, the manifest's checks, then the listing `ckptdelta ls` prints (text
// and JSON), verification and its report, and a restore of the newest step of whatever loads.
let archive = Path.join(FuzzWorkspace.scratch, "archive")
let output = Path.join(FuzzWorkspace.scratch, "restored")
_ = try Archiver().archive(run: Path.join(FuzzWorkspace.fixtures, "tf1_saver"), into: archive)
let manifest = try FuzzWorkspace.read(Path.join(archive, ArchiveManifest.fileName))

FuzzWorkspace.run(seeds: { [manifest] }) { input in
    FuzzWorkspace.write(input, to: Path.join(archive, ArchiveManifest.fileName))
    guard let loaded = try? ArchiveManifest.existing(directory: archive) else { return }
    _ = ArchiveOutput.text(loaded)
    _ = ArchiveOutput.json(loaded).serialized()
    if let report = try? ArchiveVerifier().verify(archive: archive) {
        _ = ArchiveOutput.text(report, deep: false, quiet: false)
        _ = ArchiveOutput.json(report).serialized()
    }
    _ = try? Restorer().restore(archive: archive, step: nil, into: output, replacing: .regularFile())
    try? FileSystem.removeTree(output)
}
