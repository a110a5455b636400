/// Every finding code a verification reports besides those of the SSTable reader
/// (``TableFinding``), the tensor decoders (``TensorError``) and the record decoders
/// (``RecordIssue``), which keep their own and are reported under the same names. Codes are
/// `area.what`, lowercase with underscores: stable identifiers for scripts and CI rules.
extension Finding.Code {
    /// The `.index` file cannot be read at all.
    public static let indexUnreadable: Self = "index.unreadable"
    /// The header's endianness is neither little (0) nor big (1).
    public static let headerBadEndianness: Self = "header.bad_endianness"
    /// Tensor data is big-endian: checksums hold, values need swapping.
    public static let headerBigEndian: Self = "header.big_endian"
    /// A `BundleEntryProto` does not parse.
    public static let entryUnparseable: Self = "entry.unparseable"
    /// Two entries claim overlapping bytes of a data file.
    public static let entryOverlap: Self = "entry.overlap"
    /// A slice covers its whole tensor (TensorFlow stores such a tensor unsliced).
    public static let slicesWhole: Self = "slices.whole"
    /// A slice record is stored that no partitioned variable lists.
    public static let slicesOrphan: Self = "slices.orphan"
    /// A slice a partitioned variable lists has no record.
    public static let slicesMissingRecord: Self = "slices.missing_record"
    /// A slice's dtype or shape disagrees with its variable's.
    public static let slicesMismatch: Self = "slices.mismatch"
    /// Data files named for another shard count than the header's.
    public static let shardCountMismatch: Self = "shard.count_mismatch"
    /// A data file of the checkpoint that no entry references.
    public static let shardUnreferenced: Self = "shard.unreferenced"
    /// Bytes of a data file that no entry claims.
    public static let shardUnclaimedBytes: Self = "shard.unclaimed_bytes"
    /// A temporary file left by an interrupted save.
    public static let debrisTempstate: Self = "debris.tempstate"
    /// A temporary directory left by an interrupted sharded save.
    public static let debrisTempDir: Self = "debris.temp_dir"
    /// A training directory cannot be listed.
    public static let directoryUnreadable: Self = "directory.unreadable"
    /// A name in the directory is not valid UTF-8 (skipped).
    public static let directoryBadName: Self = "directory.bad_name"
    /// The `checkpoint` state file cannot be read.
    public static let stateUnreadable: Self = "state.unreadable"
    /// No `checkpoint` state file: `tf.train.latest_checkpoint` finds nothing.
    public static let stateAbsent: Self = "state.absent"
    /// The `checkpoint` state file does not parse (TensorFlow ignores all of it).
    public static let stateUnparseable: Self = "state.unparseable"
    /// The state file names no latest checkpoint.
    public static let stateNoLatest: Self = "state.no_latest"
    /// The state file names a checkpoint that does not exist.
    public static let stateMissingCheckpoint: Self = "state.missing_checkpoint"
    /// A path in the state file is a stale absolute path (the directory moved): resolved here by name, TensorFlow will not find it.
    public static let stateRelocated: Self = "state.relocated"
    /// The latest checkpoint is not the last of `all_model_checkpoint_paths`.
    public static let stateOrder: Self = "state.order"
    /// The state file's timestamps are inconsistent (count, finiteness, order, future).
    public static let stateTimestamps: Self = "state.timestamps"
    /// A V1 checkpoint file without a readable `SavedTensorSliceMeta`, or a record that does not parse.
    public static let legacyBadMeta: Self = "legacy.bad_meta"
    /// A SavedModel directory without `saved_model.pb` (or `.pbtxt`).
    public static let savedModelNoGraph: Self = "savedmodel.no_graph"
    /// A SavedModel's `saved_model.pb` does not parse or holds no meta graph.
    public static let savedModelBadGraph: Self = "savedmodel.bad_graph"
    /// A SavedModel's `fingerprint.pb` does not parse.
    public static let savedModelBadFingerprint: Self = "savedmodel.bad_fingerprint"
    /// The fingerprint's `checkpoint_hash` does not match the variables index: variables from another export.
    public static let savedModelFingerprintMismatch: Self = "savedmodel.fingerprint_mismatch"
    /// The fingerprint's `checkpoint_hash` matches the variables index (info).
    public static let savedModelFingerprintMatch: Self = "savedmodel.fingerprint_ok"
    /// The data files come from different saves (one of them was replaced).
    public static let diagnosisMixedSaves: Self = "diagnosis.mixed_saves"
    /// A file the archive manifest lists is missing.
    public static let fileMissing: Self = "file.missing"
    /// A file of the archive does not hold the bytes its manifest records.
    public static let fileMismatch: Self = "file.mismatch"
    /// A file left by an interrupted archive run (the next run removes it).
    public static let fileLeftover: Self = "file.leftover"
    /// A complete delta the archive manifest does not list yet.
    public static let fileUnlisted: Self = "file.unlisted"
    /// A file this tool did not write (left alone).
    public static let fileForeign: Self = "file.foreign"
    /// An archived delta does not open.
    public static let deltaUnreadable: Self = "delta.unreadable"
    /// An archived step does not rebuild.
    public static let restoreFailed: Self = "restore.failed"
    /// An archived delta holds another checkpoint than its manifest entry says.
    public static let chainTarget: Self = "chain.target"
    /// A keyframe whose delta needs a base, or the reverse.
    public static let chainKeyframe: Self = "chain.keyframe"
    /// A step depends on a base step the archive does not hold.
    public static let chainBaseMissing: Self = "chain.base_missing"
    /// A step's chain depth disagrees with its base's.
    public static let chainDepth: Self = "chain.depth"
    /// A step was made against another base than its chain says.
    public static let chainBaseMismatch: Self = "chain.base_mismatch"
}
