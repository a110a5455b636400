import TensorBundle

extension Verifier {
    /// Unclaimed bytes a file may hold beyond as many as it has claimed ones.
    public static let unclaimedAllowance: Int64 = 64 << 20

    /// Why a tool that reads every byte of `bundle`'s files (`ckptdelta create`, an archive
    /// run) refuses it, or nil: a file with more bytes that nothing accounts for (gaps and
    /// trailing bytes no tensor claims, index bytes no block covers) than bytes that something
    /// does, plus ``unclaimedAllowance``. A sparse terabyte tail would otherwise cost minutes of
    /// reading and storing zeros; `ckptverify` reads only what tensors claim, and warns.
    public static func excessUnclaimedBytes(in bundle: CheckpointBundle) -> String? {
        let index = Int64(bundle.indexFile.count)
        let files =
            [(BundleFiles.index(prefix: bundle.prefix), index, Int64(bundle.indexUnclaimedBytes))]
            + ShardFileCheck.coverage(bundle: bundle, parts: StructureCheck(bundle: bundle).parts).map { ($0.path, $0.size, $0.unclaimed) }
        for (path, size, unclaimed) in files where unclaimed > size - unclaimed + unclaimedAllowance {
            return "\(path): \(unclaimed) of its \(size) bytes belong to nothing the checkpoint records (gaps or trailing bytes); "
                + "reading them all is refused: truncate the file or save the checkpoint again"
        }
        return nil
    }
}
