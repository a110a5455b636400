import AsyncHTTPClient
import Checksums
import Crypto
import NIOCore

extension S3Client: StoreClient {
    public func head(_ location: ObjectLocation) async throws(StoreError) -> ObjectInfo? {
        let response = try await transport.send(StoreCall(.HEAD, location, timeout: 60), accepting: [200, 404])
        guard response.status == .ok else {
            if response.headers.first(name: "x-amz-error-code") == "NoSuchBucket" {
                throw StoreError(.noSuchBucket, location.bucketURL, "no such bucket")
            }
            return nil
        }
        guard let length = response.headers.first(name: "content-length").flatMap(Int64.init), length >= 0 else {
            throw StoreError(.malformedResponse, location.description, "the store gave no size for the object")
        }
        return ObjectInfo(
            location: location, size: length, version: response.headers.first(name: "etag") ?? "",
            storageClass: response.headers.first(name: "x-amz-storage-class") ?? "STANDARD",
            restore: response.headers.first(name: "x-amz-restore"))
    }

    public func read(
        _ location: ObjectLocation, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void
    ) async throws(StoreError) {
        try await transport.read(StoreCall(.GET, location, timeout: 600), range: range, into: consume)
    }

    public func get(_ location: ObjectLocation, limit: Int) async throws(StoreError) -> (bytes: [UInt8], version: String)? {
        let (response, body) = try await transport.sendCollecting(
            StoreCall(.GET, location, timeout: 600), accepting: [200, 404], limit: limit)
        guard response.status == .ok else {
            if XMLDocument(Array(buffer: body)).first("Code") == "NoSuchBucket" {
                throw StoreError(.noSuchBucket, location.bucketURL, "no such bucket")
            }
            return nil
        }
        return (Array(buffer: body), response.headers.first(name: "etag") ?? "")
    }

    /// The version is the new entity tag.
    public func put(_ location: ObjectLocation, bytes: [UInt8], options: WriteOptions) async throws(StoreError) -> String {
        try await put(location, buffer: ByteBuffer(bytes: bytes), options: options)
    }

    func put(_ location: ObjectLocation, buffer: ByteBuffer, options: WriteOptions) async throws(StoreError) -> String {
        try await checkConditionByHead(location, options: options)
        var call = StoreCall(.PUT, location, body: .buffer(buffer))
        call.headers =
            [("content-type", options.contentType)] + buffer.withUnsafeReadableBytes { checksumHeaders($0) } + conditionHeaders(options)
        if let storageClass = options.storageClass { call.headers.append(("x-amz-storage-class", storageClass)) }
        let response = try await transport.send(call)
        return response.headers.first(name: "etag") ?? ""
    }

    /// Asks for a `RestoreObject`, at `tier` (`Standard`, `Bulk`, `Expedited`).
    public func restore(_ location: ObjectLocation, days: Int, tier: String = "Standard") async throws(StoreError) -> Bool {
        let xml =
            "<RestoreRequest><Days>\(days)</Days><GlacierJobParameters><Tier>\(XMLDocument.escape(tier))</Tier></GlacierJobParameters></RestoreRequest>"
        var call = StoreCall(.POST, location, query: [("restore", "")], body: .buffer(ByteBuffer(string: xml)))
        call.headers = xml.utf8.withContiguousStorageIfAvailable { checksumHeaders(UnsafeRawBufferPointer($0), forcing: .md5) } ?? []
        let response = try await transport.send(call, accepting: [200, 202, 409])
        return response.status.code == 202
    }

    public func delete(_ location: ObjectLocation) async throws(StoreError) {
        _ = try await transport.send(StoreCall(.DELETE, location), accepting: [200, 204, 404])
    }

    /// The headers that let the store verify an upload's bytes.
    func checksumHeaders(
        _ bytes: UnsafeRawBufferPointer, forcing kind: StoreConfiguration.UploadChecksum? = nil
    ) -> [(name: String, value: String)] {
        switch kind ?? configuration.uploadChecksum {
        case .crc32c:
            let crc = CRC32C.checksum(bytes)
            return [("x-amz-checksum-crc32c", Base64.crc32c(crc))]
        case .md5:
            return [("content-md5", Base64.encode(Array(Insecure.MD5.hash(data: bytes))))]
        case .none:
            return []
        }
    }

    /// For a store without conditional writes: the condition checked by a HEAD before the
    /// write (another writer between the two is not detected).
    func checkConditionByHead(_ location: ObjectLocation, options: WriteOptions) async throws(StoreError) {
        guard configuration.conditionalWrites == .head, options.createOnly || options.ifVersion != nil else { return }
        let existing = try await head(location)
        if options.createOnly && existing != nil {
            throw StoreError(.preconditionFailed, location.description, "the object exists (precondition failed)")
        }
        if let version = options.ifVersion, existing?.version != version {
            throw StoreError(.preconditionFailed, location.description, "the object changed (precondition failed)")
        }
    }

    func conditionHeaders(_ options: WriteOptions) -> [(name: String, value: String)] {
        guard configuration.conditionalWrites == .native else { return [] }
        if let version = options.ifVersion { return [("if-match", version)] }
        return options.createOnly ? [("if-none-match", "*")] : []
    }
}
