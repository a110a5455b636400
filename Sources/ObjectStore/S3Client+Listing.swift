extension S3Client {
    /// Every object under `prefix` in `bucket` (ListObjectsV2, all pages); with a delimiter,
    /// objects directly under it and its "folders". A listing always ends: a continuation token
    /// the store gives twice, or more pages than the configuration allows, is an error.
    public func list(bucket: String, prefix: String, delimiter: String? = nil) async throws(StoreError) -> ObjectListing {
        var listing = ObjectListing()
        var token: String? = nil
        var tokens = Set<String>()
        repeat {
            guard tokens.count < configuration.maxListPages else {
                throw StoreError(
                    .malformedResponse, "s3://\(bucket)/\(prefix)",
                    "the listing did not end after \(configuration.maxListPages) pages (CKPT_S3_MAX_LIST_PAGES)")
            }
            var call = Call(method: .GET, bucket: bucket, query: [("list-type", "2"), ("prefix", prefix)], timeout: 120)
            call.about = ObjectLocation(bucket: bucket, key: prefix).description
            if let delimiter { call.query.append(("delimiter", delimiter)) }
            if let token { call.query.append(("continuation-token", token)) }
            let (_, body) = try await sendCollecting(call)
            let document = XMLDocument(Array(buffer: body))
            for item in document.sections("Contents") {
                guard let key = item.first("Key"), let size = item.first("Size").flatMap(Int64.init), size >= 0 else {
                    throw StoreError(.malformedResponse, "s3://\(bucket)/\(prefix)", "a listing entry lacks a key or size")
                }
                listing.objects.append(
                    ObjectInfo(
                        location: ObjectLocation(bucket: bucket, key: key), size: size, etag: item.first("ETag") ?? "",
                        storageClass: item.first("StorageClass") ?? "STANDARD"))
            }
            for folder in document.sections("CommonPrefixes") {
                if let name = folder.first("Prefix") { listing.folders.append(name) }
            }
            let truncated = document.first("IsTruncated") == "true"
            token = truncated ? document.first("NextContinuationToken") : nil
            if truncated && token == nil {
                throw StoreError(.malformedResponse, "s3://\(bucket)/\(prefix)", "a truncated listing gave no continuation token")
            }
            if let token, !tokens.insert(token).inserted {
                throw StoreError(
                    .malformedResponse, "s3://\(bucket)/\(prefix)",
                    "the store gave the same continuation token twice (a listing that never ends)")
            }
        } while token != nil
        return listing
    }
}
