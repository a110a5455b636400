import MappedIO
import ObjectStore
import TensorBundle

/// A folder of an object store as the checkpoint tools see it: the objects directly in it.
public struct RemoteFolder: Sendable {
    /// The folder (its key ends in `/`).
    public let location: ObjectLocation
    /// The objects directly in the folder, by name, as listed (size, class, checksum).
    public let objects: [String: ObjectInfo]
    /// Names of the folders directly below it.
    public let folders: Set<String>
    /// Names in it that are not plain (``FileName``), never read or printed raw.
    public let refused: [NameError]

    /// Every name in the folder: objects, then folders.
    public var names: [String] { objects.keys.sorted() + folders.sorted() }

    /// Object names directly in the folder, with their sizes.
    public var sizes: [String: Int] { objects.mapValues { Int($0.size) } }

    static func list(_ location: ObjectLocation, client: any StoreClient) async throws(StoreError) -> RemoteFolder {
        let folderKey = location.folderKey
        let listing = try await client.list(location.with(key: folderKey), delimiter: "/")
        let children = listing.children(of: folderKey)
        return RemoteFolder(
            location: location.with(key: folderKey), objects: children.objects,
            folders: children.folders, refused: children.refused)
    }

    /// The objects of the checkpoint `name`: its `.index`, its data files and, with
    /// `companions`, its TF1 `.meta`.
    func objects(ofCheckpoint name: String, companions: Bool = false) -> [ObjectInfo] {
        objects.keys.sorted().filter { file in
            file == BundleFiles.index(prefix: name) || BundleFiles.parseData(fileName: file)?.prefix == name
                || (companions && file == name + ".meta")
        }.compactMap { objects[$0] }
    }

    /// The folder as a training directory: its listing and its state file.
    func directory(client: any StoreClient) async throws(StoreError) -> CheckpointDirectory {
        var state: Result<[UInt8], FileError>? = nil
        if objects[CheckpointDirectory.stateFileName] != nil {
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
    func bundle(named name: String, client: any StoreClient) async throws -> CheckpointBundle {
        let indexLocation = location.appending(BundleFiles.index(prefix: name))
        let index = try await client.get(indexLocation, limit: RemoteFolder.largestIndex)
        guard let index else { throw RemoteError(.noSuchCheckpoint, "\(indexLocation): no such object") }
        let copied = index.bytes.withUnsafeBytes { raw in
            Result { () throws(FileError) in try MappedFile(copying: raw, path: indexLocation.description) }
        }
        return CheckpointBundle(prefix: location.appending(name).description, indexFile: try copied.get(), dataFileSizes: sizes)
    }

    /// The value of `bundle`'s tensor under `key`, its bytes read from the store in one ranged
    /// read (at most ``largestIndex`` bytes) and checked as a local one is.
    ///
    /// - Throws: ``TensorError`` when it fails its checks, is partitioned or too large to read
    ///   whole; ``StoreError`` when the store fails.
    func value(forKey key: [UInt8], of bundle: CheckpointBundle, client: any StoreClient) async throws -> TensorValue {
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
