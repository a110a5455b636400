import Archive
import MappedIO
import ObjectStore
import TensorBundle

/// A training folder in an object store, archived one checkpoint at a time: each new checkpoint
/// is copied into a staging directory beside the one before it (its base, when that is still in
/// the run), archived from there, and the older one removed, so the disk holds at most two
/// checkpoints whatever the run's length.
public enum RemoteRun {
    /// Archives the training folder `url` with `archiver` into the archive working directory
    /// `archive` (a bucket archive's staging directory when `bucket` is given).
    ///
    /// - Throws: ``RemoteError`` when the folder holds no checkpoint or the store fails;
    ///   `ArchiveError` as `Archiver` throws it.
    public static func archive(
        _ url: String, with archiver: Archiver, into archive: String, bucket: BucketArchive?, in session: RemoteSession
    ) throws -> ArchiveRunReport {
        let target = try RemoteTarget.locate(url, latestOnly: false, in: session)
        guard target.directory != nil else { throw RemoteError(.usage, "\(url): a training folder is needed, not one checkpoint") }
        var archiver = archiver
        let folder = target.folder
        var byStep: [Int64: String] = [:]
        var report = ArchiveRunReport()
        for checkpoint in target.checkpoints {
            let name = Path.fileName(of: checkpoint.prefix)
            guard let step = BundleFiles.step(of: name) else {
                report.skip(
                    name, reason: "not archived, its name carries no step number (an archive keys steps by the number after the last -)")
                archiver.events?(.skipped(report.skipped[report.skipped.count - 1]))
                continue
            }
            if byStep[step] == nil { byStep[step] = name }
        }
        guard !byStep.isEmpty || !report.skipped.isEmpty else {
            throw RemoteError(.noSuchCheckpoint, "\(url): nothing to archive, no checkpoint with a step number in this folder")
        }
        let manifest = try bucket?.manifestIfAny() ?? ArchiveManifest.load(directory: archive)
        let staging = try StagedCopy.staging(standingFor: folder.location.description)
        var previous: [String] = []
        for step in byStep.keys.sorted() where manifest?.entry(step: step) == nil {
            let name = byStep[step]!
            let objects = folder.objects(ofCheckpoint: name, companions: true)
            let directory = staging.path
            try session.run { client in try await client.download(objects, into: directory) }
            if let bucket { archiver.unreadable = try bucket.prepare(for: TrainingRun(path: staging.path)) }
            report.append(try archiver.archive(run: staging.path, into: archive))
            for file in previous { try? FileSystem.remove(Path.join(staging.path, file)) }
            previous = objects.map(\.location.name)
        }
        return report
    }
}
