extension S3Client {
    /// ListObjectsV2, page by page.
    public func list(_ prefix: ObjectLocation, delimiter: String?) async throws(StoreError) -> ObjectListing {
        try await collectPages(of: prefix.description, maxPages: configuration.maxListPages) { token throws(StoreError) in
            var call = StoreCall(.GET, prefix.bucketLocation, query: [("list-type", "2"), ("prefix", prefix.key)], timeout: 120)
            call.about = prefix.description
            if let delimiter { call.query.append(("delimiter", delimiter)) }
            if let token { call.query.append(("continuation-token", token)) }
            let (_, body) = try await transport.sendCollecting(call)
            let page = try ListingPage(parsing: Array(buffer: body), bucket: prefix.bucketLocation, subject: prefix.description)
            return (page.entries, page.continuation)
        }
    }
}

/// One page of a ListObjectsV2 answer, read as strictly as anything else a store sends.
struct ListingPage {
    /// The page's objects and folders.
    var entries = ObjectListing()
    /// The token of the next page; nil on the last.
    var continuation: String?

    /// Reads the answer `body` to a listing of `bucket` (a location with an empty key), about
    /// `subject` (for errors).
    ///
    /// - Throws: ``StoreError/Code/malformedResponse`` for an entry without a key or a size
    ///   (a negative size, or one that is not a number, included), and for a truncated page
    ///   without a continuation token.
    init(parsing body: [UInt8], bucket: ObjectLocation, subject: String) throws(StoreError) {
        let document = XMLDocument(body)
        for item in document.sections("Contents") {
            guard let key = item.first("Key"), let size = item.first("Size").flatMap(Int64.init), size >= 0 else {
                throw StoreError(.malformedResponse, subject, "a listing entry lacks a key or size")
            }
            entries.objects.append(
                ObjectInfo(
                    location: bucket.with(key: key), size: size, version: item.first("ETag") ?? "",
                    storageClass: item.first("StorageClass") ?? "STANDARD"))
        }
        entries.folders = document.sections("CommonPrefixes").compactMap { $0.first("Prefix") }
        guard document.first("IsTruncated") == "true" else { return }
        guard let token = document.first("NextContinuationToken") else {
            throw StoreError(.malformedResponse, subject, "a truncated listing gave no continuation token")
        }
        continuation = token
    }
}
