import MappedIO

/// What a listing or a HEAD says of one object.
public struct ObjectInfo: Sendable, Hashable {
    public let location: ObjectLocation
    public let size: Int64
    /// The version a replacement must name (``WriteOptions/ifVersion``): S3's entity tag,
    /// quotes included, or Google's generation number.
    public let version: String
    /// `STANDARD` unless the store says otherwise (`GLACIER`, `DEEP_ARCHIVE`, Google's
    /// `NEARLINE`, `COLDLINE`, `ARCHIVE`, …).
    public let storageClass: String
    /// For an archived object: whether a restore is under way, and until when a restored copy
    /// is readable (`x-amz-restore`); nil when the store said nothing.
    public let restore: String?
    /// The CRC-32C the store keeps for the whole object, as it gives it (base64 of the four
    /// bytes, most significant first), when it keeps one (Google always does); a download of the
    /// whole object is checked against it.
    public let crc32c: String?

    public init(
        location: ObjectLocation, size: Int64, version: String, storageClass: String, restore: String? = nil, crc32c: String? = nil
    ) {
        self.location = location
        self.size = size
        self.version = version
        self.storageClass = storageClass
        self.restore = restore
        self.crc32c = crc32c
    }

    /// Storage classes whose objects cannot be read until restored (S3's; every class of
    /// Google's is readable).
    public static let archiveClasses: Set<String> = ["GLACIER", "DEEP_ARCHIVE"]

    /// Whether a GET would fail with `InvalidObjectState` (an archive tier, not restored).
    public var needsRestore: Bool {
        Self.archiveClasses.contains(storageClass) && !(restore?.contains("ongoing-request=\"false\"") ?? false)
    }
}

/// One page, or all pages, of a listing under a prefix.
public struct ObjectListing: Sendable {
    /// Objects directly under the prefix (all below it when listed without a delimiter).
    public var objects: [ObjectInfo] = []
    /// With a delimiter: the "folders" below the prefix, as full key prefixes ending in it.
    public var folders: [String] = []

    public init() {}

    /// What the folder `folder` (a key prefix ending in `/`, listed with the delimiter `/`)
    /// holds directly, by name: its objects and its folders. Names that are not plain
    /// (``FileName``: a store may hand back any key) are refused, never joined to a path or
    /// printed; `refused` says which and why.
    public func children(of folder: String) -> (objects: [String: ObjectInfo], folders: Set<String>, refused: [NameError]) {
        var objects: [String: ObjectInfo] = [:]
        var folders = Set<String>()
        var refused: [NameError] = []
        func child(_ key: String) -> String? {
            guard key.hasPrefix(folder), key.count > folder.count else { return nil }
            let name = String(key.dropFirst(folder.count))
            if case .failure(let error) = FileName.decode(Array(name.utf8)) {
                refused.append(error)
                return nil
            }
            return name
        }
        for object in self.objects {
            if let name = child(object.location.key) { objects[name] = object }
        }
        for prefix in self.folders where prefix.hasSuffix("/") {
            if let name = child(String(prefix.dropLast())) { folders.insert(name) }
        }
        return (objects, folders, refused)
    }
}

/// How an object is written.
public struct WriteOptions: Sendable {
    /// Create only: fail with ``StoreError/Code-swift.struct/preconditionFailed`` when the key exists.
    public var createOnly = false
    /// Replace only this version (``ObjectInfo/version``): compare-and-swap.
    public var ifVersion: String? = nil
    /// The storage class (S3's `STANDARD_IA`, `GLACIER_IR`, `GLACIER`, `DEEP_ARCHIVE`, …;
    /// Google's `NEARLINE`, `COLDLINE`, `ARCHIVE`).
    public var storageClass: String? = nil
    public var contentType: String = "application/octet-stream"

    public init(
        createOnly: Bool = false, ifVersion: String? = nil, storageClass: String? = nil, contentType: String = "application/octet-stream"
    ) {
        self.createOnly = createOnly
        self.ifVersion = ifVersion
        self.storageClass = storageClass
        self.contentType = contentType
    }
}
