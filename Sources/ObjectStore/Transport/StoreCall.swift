import NIOHTTP1

/// One request to a store, described before the store's dialect addresses and authorizes it.
struct StoreCall: Sendable {
    var method: HTTPMethod
    /// The object the request is about; a listing's is the bucket with an empty key.
    var location: ObjectLocation
    /// The request's path and its query already encoded, where the store does not address by
    /// bucket and key (Google's JSON API); nil for S3, which does.
    var path: String? = nil
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var body: Payload? = nil
    /// Seconds the whole exchange may take (the read timeout catches stalls sooner).
    var timeout: Int64 = 300
    /// What the request is about, when that is not its location (a listing's prefix).
    var about: String? = nil

    init(
        _ method: HTTPMethod, _ location: ObjectLocation, path: String? = nil, query: [(name: String, value: String)] = [],
        body: Payload? = nil, timeout: Int64 = 300
    ) {
        self.method = method
        self.location = location
        self.path = path
        self.query = query
        self.body = body
        self.timeout = timeout
    }

    /// Names the request's subject in errors: `s3://bucket/key`.
    var subject: String { about ?? location.description }
}
