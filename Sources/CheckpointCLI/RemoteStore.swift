import MappedIO
import ObjectStore
import TensorBundle
import Verification

/// The object store these tools reach for `s3://` paths: one client per process, configured
/// from the environment the way AWS tools are, created on first use.
enum RemoteStore {
    private static let shared: Result<S3Client, StoreError> = Result { () throws(StoreError) in try S3Client() }

    /// The client, or the configuration's error as a tool error.
    static func client() throws(ToolError) -> S3Client {
        switch shared {
        case .success(let client): return client
        case .failure(let error): throw ToolError(error.description)
        }
    }

    /// The location an `s3://` path names, or a tool error saying why it is not one.
    static func location(_ path: String) throws(ToolError) -> ObjectLocation {
        guard let location = ObjectLocation(url: path) else {
            throw ToolError(
                "\(path): not an object-store URL of the form s3://BUCKET/KEY (bucket names are 3-63 lower-case letters, digits, dots and dashes; no key segment is empty, . or .., or holds a control character)"
            )
        }
        return location
    }

    /// Runs `work` against the store and turns its failures into one-line tool errors.
    static func run<Value: Sendable>(_ work: @escaping @Sendable (S3Client) async throws -> Value) throws(ToolError) -> Value {
        let client = try client()
        do {
            return try AsyncBridge.run { try await work(client) }
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError(String(describing: error))
        }
    }
}

/// A folder of an object store as the checkpoint tools see it: the objects directly in it.
struct RemoteFolder: Sendable {
    let location: ObjectLocation
    /// Object names directly in the folder, with their sizes.
    let sizes: [String: Int]
    /// Names of the folders directly below it.
    let folders: Set<String>
    /// Names in it that are not plain (``FileName``), never read or printed raw.
    let refused: [NameError]

    var names: [String] { sizes.keys.sorted() + folders.sorted() }

    static func list(_ location: ObjectLocation, client: S3Client) async throws(StoreError) -> RemoteFolder {
        let folderKey = location.folderKey
        let listing = try await client.list(bucket: location.bucket, prefix: folderKey, delimiter: "/")
        let children = listing.children(of: folderKey)
        return RemoteFolder(
            location: ObjectLocation(bucket: location.bucket, key: folderKey), sizes: children.objects.mapValues { Int($0.size) },
            folders: children.folders, refused: children.refused)
    }

    /// The objects of the checkpoint `name`: its `.index`, its data files and, with
    /// `companions`, its TF1 `.meta`.
    func objects(ofCheckpoint name: String, companions: Bool = false) -> [ObjectInfo] {
        sizes.keys.sorted().filter { file in
            file == BundleFiles.index(prefix: name) || BundleFiles.parseData(fileName: file)?.prefix == name
                || (companions && file == name + ".meta")
        }.map { ObjectInfo(location: location.appending($0), size: Int64(sizes[$0]!), etag: "", storageClass: "STANDARD") }
    }

    /// The folder as a training directory: its listing and its state file.
    func directory(client: S3Client) async throws(StoreError) -> CheckpointDirectory {
        var state: Result<[UInt8], FileError>? = nil
        if sizes[CheckpointDirectory.stateFileName] != nil {
            let stateLocation = location.appending(CheckpointDirectory.stateFileName)
            if let object = try await client.get(stateLocation, limit: 16 << 20) {
                state = .success(object.bytes)
            } else {
                state = .failure(FileError(code: .notFound, path: stateLocation.description, cause: "vanished while being read"))
            }
        }
        return CheckpointDirectory(path: String(location.description.dropLast()), names: names, refused: refused, stateFile: state)
    }

    /// Opens the checkpoint `name` of this folder: its index read whole into memory, its data
    /// files known by their listed sizes.
    func bundle(named name: String, client: S3Client) async throws(StoreError) -> CheckpointBundle {
        let indexLocation = location.appending(BundleFiles.index(prefix: name))
        guard let index = try await client.get(indexLocation, limit: RemoteFolder.largestIndex) else {
            throw StoreError(.notFound, indexLocation.description, "no such object")
        }
        let file: MappedFile
        do {
            file = try index.bytes.withUnsafeBytes { try MappedFile(copying: $0, path: indexLocation.description) }
        } catch {
            throw StoreError(.io, "memory", String(describing: error))
        }
        return CheckpointBundle(prefix: location.appending(name).description, indexFile: file, dataFileSizes: sizes)
    }

    /// The bytes of `bundle`'s object graph (a string scalar), read from the store; nil when it
    /// has none or it does not read.
    func objectGraph(of bundle: CheckpointBundle, client: S3Client) async throws -> [UInt8]? {
        guard case .strings(let strings)? = try? await value(forKey: Array(ObjectGraph.key.utf8), of: bundle, client: client).contents,
            strings.count == 1
        else { return nil }
        return strings[0]
    }

    /// The value of `bundle`'s tensor under `key`, its bytes read from the store in one ranged
    /// read (at most ``largestIndex`` bytes) and checked as a local one is.
    ///
    /// - Throws: ``TensorError`` when it fails its checks, is partitioned or too large to read
    ///   whole; ``StoreError`` when the store fails.
    func value(forKey key: [UInt8], of bundle: CheckpointBundle, client: S3Client) async throws -> TensorValue {
        let entry = try bundle.entry(forKey: key)
        guard !entry.isPartitioned else {
            throw TensorError(.unsupported, key: key, "a partitioned tensor of a remote checkpoint is read by copying the checkpoint first")
        }
        let (path, _, range) = try bundle.storedRange(of: entry, key: key)
        guard range.count <= Self.largestIndex, let location = ObjectLocation(url: path) else {
            throw TensorError(.unsupported, key: key, "\(range.count) bytes, more than this tool reads of a remote tensor at once")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        try await client.read(location, range: Int64(range.lowerBound)..<Int64(range.upperBound)) { bytes.append(contentsOf: $0) }
        return try bytes.withUnsafeBytes { (raw) throws(TensorError) in try CheckpointBundle.value(of: entry, key: key, storedBytes: raw) }
    }

    /// Indexes larger than this are refused rather than read into memory (the index of a
    /// checkpoint with a million tensors takes some 100 MB).
    static let largestIndex = 256 << 20
}

/// Streams a remote checkpoint's data files from the store.
struct StoreShardReader: ShardReader {
    let client: S3Client

    func read(_ path: String, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void) async throws {
        guard let location = ObjectLocation(url: path) else { throw ToolError("\(path): not an object-store URL") }
        try await client.read(location, range: range, into: consume)
    }
}
