/// What the tools do with an object store, the same for every store: ``S3Client`` for
/// `s3://`, ``GCSClient`` for `gs://`. Every operation ends in bounded time and throws
/// ``StoreError`` (one readable line) for the store's failures.
public protocol StoreClient: Sendable {
    /// Connections the client keeps open to the store (requests worth having in flight).
    var connections: Int { get }
    /// Bytes worth asking for in one ranged read.
    var rangeSize: Int { get }

    /// What the store says of the object at `location`; nil when there is none.
    func head(_ location: ObjectLocation) async throws(StoreError) -> ObjectInfo?

    /// Streams bytes `range` of the object at `location` to `consume`, in order, each byte once,
    /// resuming where a failed connection stopped; memory stays at a few network buffers.
    func read(
        _ location: ObjectLocation, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void
    ) async throws(StoreError)

    /// The whole object at `location` (at most `limit` bytes) and its version (the tag a
    /// replacement names in ``WriteOptions/ifVersion``); nil when there is none.
    func get(_ location: ObjectLocation, limit: Int) async throws(StoreError) -> (bytes: [UInt8], version: String)?

    /// Writes `bytes` as the object at `location` in one request, checked by the store against
    /// a checksum sent with it; returns the new version (empty when the store gave none).
    @discardableResult
    func put(_ location: ObjectLocation, bytes: [UInt8], options: WriteOptions) async throws(StoreError) -> String

    /// Uploads the local file at `path` as the object at `location`, in parts or chunks when it
    /// is large; the object appears only complete, and with `createOnly` only if the key was
    /// free. Returns the new version.
    ///
    /// - Throws: ``StoreError`` for the store's failures, `FileError` for the local file's.
    @discardableResult
    func upload(file path: String, to location: ObjectLocation, options: WriteOptions) async throws -> String

    /// Every object under the key prefix `prefix` (all pages); with a delimiter, the objects
    /// directly under it and its "folders". A listing always ends: a page token the store gives
    /// twice, or more pages than the configuration allows, is an error.
    func list(_ prefix: ObjectLocation, delimiter: String?) async throws(StoreError) -> ObjectListing

    /// Deletes the object at `location` (no error when it is already gone).
    func delete(_ location: ObjectLocation) async throws(StoreError)

    /// Asks the store to make an archived object readable for `days` days; true when a restore
    /// started, false when one is under way or done, or when the store reads every class
    /// without one (Google Cloud Storage).
    func restore(_ location: ObjectLocation, days: Int, tier: String) async throws(StoreError) -> Bool

    /// Closes every connection. Call once, when no operation is running.
    func shutdown() async
}

extension StoreClient {
    /// The whole object at `location`, at most 256 MiB of it; nil when there is none.
    public func get(_ location: ObjectLocation) async throws(StoreError) -> (bytes: [UInt8], version: String)? {
        try await get(location, limit: 256 << 20)
    }

    /// Writes `bytes` as the object at `location`, replacing any; returns the new version.
    @discardableResult
    public func put(_ location: ObjectLocation, bytes: [UInt8]) async throws(StoreError) -> String {
        try await put(location, bytes: bytes, options: WriteOptions())
    }

    /// Uploads the local file at `path` as the object at `location`, replacing any; returns the
    /// new version.
    @discardableResult
    public func upload(file path: String, to location: ObjectLocation) async throws -> String {
        try await upload(file: path, to: location, options: WriteOptions())
    }

    /// Every object below the key prefix `prefix`, at any depth.
    public func list(_ prefix: ObjectLocation) async throws(StoreError) -> ObjectListing {
        try await list(prefix, delimiter: nil)
    }
}
