import MappedIO

/// An object, or a key prefix, in a bucket of an object store: `s3://BUCKET/KEY` (an
/// S3-compatible store) or `gs://BUCKET/KEY` (Google Cloud Storage).
public struct ObjectLocation: Sendable, Hashable, CustomStringConvertible {
    /// The kind of store a location is in, named by its URL scheme.
    public enum Store: String, Sendable, Hashable, CaseIterable {
        /// An S3-compatible store: `s3://`.
        case s3
        /// Google Cloud Storage: `gs://`.
        case gcs = "gs"

        /// `s3://` or `gs://`.
        public var scheme: String { rawValue + "://" }
    }

    public let store: Store
    public let bucket: String
    /// The object key (or key prefix), without a leading slash; may be empty (the whole bucket).
    public let key: String

    public init(store: Store, bucket: String, key: String) {
        self.store = store
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://BUCKET/KEY` or `gs://BUCKET/KEY`; nil when `url` is not such a URL or names
    /// no valid bucket.
    ///
    /// Bucket names follow the stores' common rules (3 to 63 characters of lower-case letters,
    /// digits, `.` and `-`, and `_` in Google's, starting and ending with a letter or digit).
    /// Each segment of the key between `/`s is a plain file name (``FileName``): not empty, `.`
    /// or `..`, no control character. Stores disagree on what `a//b` or `a/./b` name (one
    /// collapses `//`), so such a key is refused rather than read or written somewhere else than
    /// meant; a single `/` at the end names a folder.
    public init?(url: String) {
        guard let store = Store.allCases.first(where: { url.hasPrefix($0.scheme) }) else { return nil }
        let rest = url.dropFirst(store.scheme.count)
        let bucket = rest.prefix { $0 != "/" }
        guard Self.isValidBucket(bucket, in: store) else { return nil }
        let key = String(rest.dropFirst(bucket.count + 1))
        if !key.isEmpty {
            let segments = (key.hasSuffix("/") ? key.dropLast() : Substring(key)).split(separator: "/", omittingEmptySubsequences: false)
            guard segments.allSatisfy({ FileName.isPlain(String($0)) }) else { return nil }
        }
        self.store = store
        self.bucket = String(bucket)
        self.key = key
    }

    /// Whether `path` is meant as an object-store URL rather than a local path.
    public static func isURL(_ path: String) -> Bool {
        Store.allCases.contains { path.hasPrefix($0.scheme) }
    }

    /// The bucket itself, as a location (a listing's).
    public var bucketLocation: ObjectLocation { ObjectLocation(store: store, bucket: bucket, key: "") }

    /// The bucket's URL, `s3://BUCKET`, for errors about it.
    public var bucketURL: String { store.scheme + bucket }

    /// Another key in the same bucket.
    public func with(key: String) -> ObjectLocation { ObjectLocation(store: store, bucket: bucket, key: key) }

    /// The location of `name` under this one taken as a folder (`run/` + `ckpt-1.index`).
    public func appending(_ name: String) -> ObjectLocation {
        with(key: folderKey + name)
    }

    /// The key as a folder prefix: empty, or ending in one `/`.
    public var folderKey: String {
        key.isEmpty || key.hasSuffix("/") ? key : key + "/"
    }

    /// The last component of the key (`ckpt-1000` of `run/ckpt-1000`), ignoring a trailing `/`.
    public var name: String {
        let trimmed = key.hasSuffix("/") ? key.dropLast() : Substring(key)
        return String(trimmed.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    }

    /// The folder holding this object (`s3://b/run/` for `s3://b/run/ckpt-1000`).
    public var parent: ObjectLocation {
        let trimmed = key.hasSuffix("/") ? key.dropLast() : Substring(key)
        guard let slash = trimmed.lastIndex(of: "/") else { return with(key: "") }
        return with(key: String(trimmed[...slash]))
    }

    public var description: String { store.scheme + bucket + "/" + key }

    static func isValidBucket(_ name: Substring, in store: Store) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
            first.isASCII && (first.isLowercase || first.isNumber), last.isASCII && (last.isLowercase || last.isNumber)
        else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || ($0 == "_" && store == .gcs)) }
    }
}
