extension S3Client {
    /// Every object under `prefix` in `bucket` (ListObjectsV2, all pages); with a delimiter,
    /// objects directly under it and its "folders". A listing always ends: a continuation token
    /// the store gives twice, or more pages than the configuration allows, is an error.
    public func list(bucket: String, prefix: String, delimiter: String? = nil) async throws(StoreError) -> ObjectListing {
        let subject = ObjectLocation(bucket: bucket, key: prefix).description
        var listing = ObjectListing()
        var token: String? = nil
        var tokens = Set<String>()
        repeat {
            guard tokens.count < configuration.maxListPages else {
                throw StoreError(
                    .malformedResponse, subject,
                    "the listing did not end after \(configuration.maxListPages) pages (CKPT_S3_MAX_LIST_PAGES)")
            }
            var call = Call(method: .GET, bucket: bucket, query: [("list-type", "2"), ("prefix", prefix)], timeout: 120)
            call.about = subject
            if let delimiter { call.query.append(("delimiter", delimiter)) }
            if let token { call.query.append(("continuation-token", token)) }
            let (_, body) = try await sendCollecting(call)
            let page = try ListingPage(parsing: Array(buffer: body), bucket: bucket, subject: subject)
            listing.objects += page.objects
            listing.folders += page.folders
            token = page.continuation
            if let token, !tokens.insert(token).inserted {
                throw StoreError(
                    .malformedResponse, subject, "the store gave the same continuation token twice (a listing that never ends)")
            }
        } while token != nil
        return listing
    }
}

/// One page of a ListObjectsV2 answer, read as strictly as anything else a store sends.
struct ListingPage {
    var objects: [ObjectInfo] = []
    var folders: [String] = []
    /// The token of the next page; nil on the last.
    var continuation: String?

    /// Reads the answer `body` to a listing of `bucket`, about `subject` (for errors).
    ///
    /// - Throws: ``StoreError/Code/malformedResponse`` for an entry without a key or a size
    ///   (a negative size, or one that is not a number, included), and for a truncated page
    ///   without a continuation token.
    init(parsing body: [UInt8], bucket: String, subject: String) throws(StoreError) {
        let document = XMLDocument(body)
        for item in document.sections("Contents") {
            guard let key = item.first("Key"), let size = item.first("Size").flatMap(Int64.init), size >= 0 else {
                throw StoreError(.malformedResponse, subject, "a listing entry lacks a key or size")
            }
            objects.append(
                ObjectInfo(
                    location: ObjectLocation(bucket: bucket, key: key), size: size, etag: item.first("ETag") ?? "",
                    storageClass: item.first("StorageClass") ?? "STANDARD"))
        }
        folders = document.sections("CommonPrefixes").compactMap { $0.first("Prefix") }
        guard document.first("IsTruncated") == "true" else { return }
        guard let token = document.first("NextContinuationToken") else {
            throw StoreError(.malformedResponse, subject, "a truncated listing gave no continuation token")
        }
        continuation = token
    }
}
