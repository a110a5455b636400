import Archive
import FuzzSupport
import MappedIO

// `archive.json` beside the real delta files of an archived TF1 run (with `.meta` companions):
// the strict JSON parser, the manifest's checks, then verification and a restore of the newest
// step of whatever loads.
let archive = Path.join(FuzzWorkspace.scratch, "archive")
let output = Path.join(FuzzWorkspace.scratch, "restored")
_ = try Archiver().archive(run: Path.join(FuzzWorkspace.fixtures, "tf1_saver"), into: archive)
let manifest = try FuzzWorkspace.read(Path.join(archive, ArchiveManifest.fileName))

FuzzWorkspace.run(seeds: { [manifest] }) { input in
    FuzzWorkspace.write(input, to: Path.join(archive, ArchiveManifest.fileName))
    guard (try? ArchiveManifest.existing(directory: archive)) != nil else { return }
    _ = try? ArchiveVerifier().verify(archive: archive)
    _ = try? Restorer().restore(archive: archive, step: nil, into: output, replacing: .regularFile())
    try? FileSystem.removeTree(output)
}
