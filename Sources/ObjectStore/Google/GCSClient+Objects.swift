import Checksums
import JSON
import NIOCore

extension GCSClient: StoreClient {
    /// The object's resource (`GET …/o/OBJECT`).
    public func head(_ location: ObjectLocation) async throws(StoreError) -> ObjectInfo? {
        let (response, body) = try await transport.sendCollecting(
            StoreCall(.GET, location, timeout: 60), accepting: [200, 404], limit: 1 << 20)
        guard response.status == .ok else {
            try checkBucket(of: location, in: body)
            return nil
        }
        return try GoogleObject.info(parsing: Array(buffer: body), in: location.bucketLocation, subject: location.description)
    }

    /// A media download (`alt=media`) with `Range`.
    public func read(
        _ location: ObjectLocation, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void
    ) async throws(StoreError) {
        try await transport.read(StoreCall(.GET, location, query: [("alt", "media")], timeout: 600), range: range, into: consume)
    }

    /// A media download, checked against the CRC-32C in `x-goog-hash`; the version is the
    /// generation (`x-goog-generation`).
    public func get(_ location: ObjectLocation, limit: Int) async throws(StoreError) -> (bytes: [UInt8], version: String)? {
        let call = StoreCall(.GET, location, query: [("alt", "media")], timeout: 600)
        let (response, body) = try await transport.sendCollecting(call, accepting: [200, 404], limit: limit)
        guard response.status == .ok else {
            try checkBucket(of: location, in: body)
            return nil
        }
        guard let generation = response.headers.first(name: "x-goog-generation"), !generation.isEmpty else {
            throw StoreError(.malformedResponse, location.description, "the store gave no generation for the object")
        }
        let bytes = Array(buffer: body)
        if let expected = GoogleObject.crc32c(inHashHeader: response.headers.first(name: "x-goog-hash")) {
            let actual = Base64.crc32c(bytes.withUnsafeBytes { CRC32C.checksum($0) })
            guard actual == expected else {
                throw StoreError(
                    .malformedResponse, location.description,
                    "the downloaded bytes do not match the store's CRC-32C of the object (\(actual), not \(expected))")
            }
        }
        return (bytes, generation)
    }

    /// A multipart upload: the object's metadata, with the bytes' CRC-32C for the store to
    /// check, then the bytes; the store's answer must carry the same CRC-32C. The version is the
    /// new generation. Retried only when a generation precondition guards it, as Google
    /// advises (an unconditional replacement is sent once).
    public func put(_ location: ObjectLocation, bytes: [UInt8], options: WriteOptions) async throws(StoreError) -> String {
        try await send(bytes.withUnsafeBytes { multipartUpload(of: $0, to: location, options: options) }, to: location)
    }

    /// The request of a multipart upload of `bytes` (their one copy is its body), with their
    /// size and CRC-32C, and whether a precondition guards it.
    func multipartUpload(
        of bytes: UnsafeRawBufferPointer, to location: ObjectLocation, options: WriteOptions
    ) -> (call: StoreCall, size: Int, crc32c: String, guarded: Bool) {
        let crc = Base64.crc32c(CRC32C.checksum(bytes))
        let guarded = preconditions(options)
        let boundary = "ckpt-" + (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        var body = ByteBuffer()
        body.writeString(
            "--\(boundary)\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n\(metadata(location, options: options, crc32c: crc))\r\n"
                + "--\(boundary)\r\ncontent-type: \(options.contentType)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var call = StoreCall(
            .POST, location, path: GoogleDialect.uploadPath(location), query: [("uploadType", "multipart")] + guarded,
            body: .buffer(body))
        call.headers = [("content-type", "multipart/related; boundary=\(boundary)")]
        return (call, bytes.count, crc, !guarded.isEmpty)
    }

    /// Sends a multipart upload; returns the new generation once the store's answer names the
    /// size and CRC-32C sent. Google's guidance: retried only when a precondition guards it.
    func send(
        _ upload: (call: StoreCall, size: Int, crc32c: String, guarded: Bool), to location: ObjectLocation
    ) async throws(StoreError) -> String {
        let (_, answer) = try await transport.sendCollecting(upload.call, limit: 1 << 20, idempotent: upload.guarded)
        return try created(location, answer: Array(buffer: answer), crc32c: upload.crc32c, size: Int64(upload.size))
    }

    /// Google Cloud Storage reads objects of every class (`ARCHIVE` included) without a
    /// restore: there is never anything to do.
    public func restore(_ location: ObjectLocation, days: Int, tier: String) async throws(StoreError) -> Bool {
        false
    }

    public func delete(_ location: ObjectLocation) async throws(StoreError) {
        _ = try await transport.send(StoreCall(.DELETE, location), accepting: [200, 204, 404])
    }

    /// The JSON metadata of a new object: its name, content type, storage class and CRC-32C.
    func metadata(_ location: ObjectLocation, options: WriteOptions, crc32c: String) -> String {
        var members: [(String, JSONValue)] = [
            ("name", .string(location.key)), ("contentType", .string(options.contentType)), ("crc32c", .string(crc32c)),
        ]
        if let storageClass = options.storageClass { members.append(("storageClass", .string(storageClass))) }
        return JSONValue.object(members).serialized()
    }

    /// The generation preconditions of a write: `ifGenerationMatch=0` creates only,
    /// `ifGenerationMatch=N` replaces only generation N.
    func preconditions(_ options: WriteOptions) -> [(name: String, value: String)] {
        if let version = options.ifVersion { return [("ifGenerationMatch", version)] }
        return options.createOnly ? [("ifGenerationMatch", "0")] : []
    }

    /// The generation of the object an upload created, after checking that the store's
    /// resource for it has the size and CRC-32C of the bytes sent.
    func created(_ location: ObjectLocation, answer: [UInt8], crc32c: String, size: Int64) throws(StoreError) -> String {
        let object = try GoogleObject.info(parsing: answer, in: location.bucketLocation, subject: location.description)
        guard object.size == size, object.crc32c == nil || object.crc32c == crc32c else {
            throw StoreError(
                .malformedResponse, location.description,
                "the store stored \(object.size) bytes with CRC-32C \(object.crc32c ?? "-") for \(size) bytes with \(crc32c) sent")
        }
        return object.version
    }

    /// Throws ``StoreError/Code/noSuchBucket`` when the 404 answer `body` says the bucket, not
    /// the object, is missing.
    func checkBucket(of location: ObjectLocation, in body: ByteBuffer) throws(StoreError) {
        let message = (try? JSONValue(parsing: Array(buffer: body)))?["error"]?["message"]?.string
        if GoogleDialect.isAboutBucket(message) {
            throw StoreError(.noSuchBucket, location.bucketURL, "no such bucket")
        }
    }
}
