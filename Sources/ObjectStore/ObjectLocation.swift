import MappedIO

/// An object, or a key prefix, in an S3-compatible bucket: `s3://BUCKET/KEY`.
public struct ObjectLocation: Sendable, Hashable, CustomStringConvertible {
    /// The URL scheme these tools accept for object stores.
    public static let scheme = "s3://"

    public let bucket: String
    /// The object key (or key prefix), without a leading slash; may be empty (the whole bucket).
    public let key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://BUCKET/KEY`; nil when `url` is not such a URL or names no valid bucket.
    ///
    /// Bucket names follow S3's rules (3 to 63 characters of lower-case letters, digits, `.`
    /// and `-`, starting and ending with a letter or digit). Each segment of the key between
    /// `/`s is a plain file name (``FileName``): not empty, `.` or `..`, no control character.
    /// Stores disagree on what `a//b` or `a/./b` name (one collapses `//`), so such a key is
    /// refused rather than read or written somewhere else than meant; a single `/` at the end
    /// names a folder.
    public init?(url: String) {
        guard url.hasPrefix(Self.scheme) else { return nil }
        let rest = url.dropFirst(Self.scheme.count)
        let bucket = rest.prefix { $0 != "/" }
        guard Self.isValidBucket(bucket) else { return nil }
        let key = String(rest.dropFirst(bucket.count + 1))
        if !key.isEmpty {
            let segments = (key.hasSuffix("/") ? key.dropLast() : Substring(key)).split(separator: "/", omittingEmptySubsequences: false)
            guard segments.allSatisfy({ FileName.isPlain(String($0)) }) else { return nil }
        }
        self.bucket = String(bucket)
        self.key = key
    }

    /// Whether `path` is meant as an object-store URL rather than a local path.
    public static func isURL(_ path: String) -> Bool {
        path.hasPrefix(scheme)
    }

    /// The location of `name` under this one taken as a folder (`run/` + `ckpt-1.index`).
    public func appending(_ name: String) -> ObjectLocation {
        ObjectLocation(bucket: bucket, key: folderKey + name)
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
        guard let slash = trimmed.lastIndex(of: "/") else { return ObjectLocation(bucket: bucket, key: "") }
        return ObjectLocation(bucket: bucket, key: String(trimmed[...slash]))
    }

    public var description: String { Self.scheme + bucket + "/" + key }

    static func isValidBucket(_ name: Substring) -> Bool {
        guard (3...63).contains(name.count), let first = name.first, let last = name.last,
            first.isASCII && (first.isLowercase || first.isNumber), last.isASCII && (last.isLowercase || last.isNumber)
        else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") }
    }
}
