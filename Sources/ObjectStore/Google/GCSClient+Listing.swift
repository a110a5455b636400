import JSON

extension GCSClient {
    /// `GET …/b/BUCKET/o?prefix=…`, page by page (`pageToken`).
    public func list(_ prefix: ObjectLocation, delimiter: String?) async throws(StoreError) -> ObjectListing {
        let subject = prefix.description
        return try await collectPages(of: subject, maxPages: configuration.maxListPages) { token throws(StoreError) in
            var call = StoreCall(
                .GET, prefix.bucketLocation, path: GoogleDialect.objectsPath(prefix), query: [("prefix", prefix.key)], timeout: 120)
            call.about = subject
            if let delimiter { call.query.append(("delimiter", delimiter)) }
            if let token { call.query.append(("pageToken", token)) }
            let (_, body) = try await transport.sendCollecting(call)
            guard let page = try? JSONValue(parsing: Array(buffer: body)) else {
                throw StoreError(.malformedResponse, subject, "a listing page is not JSON")
            }
            var entries = ObjectListing()
            for item in page["items"]?.elements ?? [] {
                entries.objects.append(try GoogleObject.info(item, in: prefix.bucketLocation, subject: subject))
            }
            entries.folders = (page["prefixes"]?.elements ?? []).compactMap(\.string)
            let next = page["nextPageToken"]?.string
            return (entries, next.flatMap { $0.isEmpty ? nil : $0 })
        }
    }
}
