extension S3Client {
    /// Every object under `prefix` in `bucket` (ListObjectsV2, all pages); with a delimiter,
    /// objects directly under it and its "folders".
    public func list(bucket: String, prefix: String, delimiter: String? = nil) async throws(StoreError) -> ObjectListing {
        var listing = ObjectListing()
        var token: String? = nil
        repeat {
            var call = Call(method: .GET, bucket: bucket, query: [("list-type", "2"), ("prefix", prefix)], timeout: 120)
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
        } while token != nil
        return listing
    }
}
