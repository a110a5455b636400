import JSON

/// Reads Google's object resource (`storage#object`), as strictly as anything else a store
/// sends: `name`, `size` and `generation` (decimal strings), `storageClass`, `crc32c`.
enum GoogleObject {
    /// The object `resource` describes, in `bucket` (a location with an empty key).
    ///
    /// - Throws: ``StoreError/Code/malformedResponse`` naming `subject` for a resource without
    ///   a name, a size that is not a non-negative number, or a generation that is not a
    ///   positive one.
    static func info(_ resource: JSONValue, in bucket: ObjectLocation, subject: String) throws(StoreError) -> ObjectInfo {
        guard let name = resource["name"]?.string, !name.isEmpty,
            let size = resource["size"]?.string.flatMap(Int64.init), size >= 0,
            let generation = resource["generation"]?.string, let number = Int64(generation), number > 0
        else {
            throw StoreError(.malformedResponse, subject, "an object resource lacks a name, a size or a generation")
        }
        return ObjectInfo(
            location: bucket.with(key: name), size: size, version: generation,
            storageClass: resource["storageClass"]?.string ?? "STANDARD", crc32c: resource["crc32c"]?.string)
    }

    /// The object resource in the answer `body`.
    static func info(parsing body: [UInt8], in bucket: ObjectLocation, subject: String) throws(StoreError) -> ObjectInfo {
        guard let resource = try? JSONValue(parsing: body) else {
            throw StoreError(.malformedResponse, subject, "the store's answer is not a JSON object resource")
        }
        return try info(resource, in: bucket, subject: subject)
    }

    /// The CRC-32C in an `x-goog-hash` header (`crc32c=…,md5=…`), as base64.
    static func crc32c(inHashHeader header: String?) -> String? {
        header?.split(separator: ",").lazy.map { $0.trimmingPrefix(" ") }.first { $0.hasPrefix("crc32c=") }
            .map { String($0.dropFirst("crc32c=".count)) }
    }
}
