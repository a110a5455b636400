import AsyncHTTPClient
import Checksums
import Crypto
import NIOCore

extension S3Client {
    /// What the store says of the object at `location`; nil when there is none.
    public func head(_ location: ObjectLocation) async throws(StoreError) -> ObjectInfo? {
        let call = Call(method: .HEAD, bucket: location.bucket, key: location.key, timeout: 60)
        let response = try await send(call, accepting: [200, 404])
        guard response.status == .ok else {
            if response.headers.first(name: "x-amz-error-code") == "NoSuchBucket" {
                throw StoreError(.noSuchBucket, "s3://\(location.bucket)", "no such bucket")
            }
            return nil
        }
        guard let length = response.headers.first(name: "content-length").flatMap(Int64.init), length >= 0 else {
            throw StoreError(.malformedResponse, location.description, "the store gave no size for the object")
        }
        return ObjectInfo(
            location: location, size: length, etag: response.headers.first(name: "etag") ?? "",
            storageClass: response.headers.first(name: "x-amz-storage-class") ?? "STANDARD",
            restore: response.headers.first(name: "x-amz-restore"))
    }

    /// Streams bytes `range` of the object at `location` to `consume`, in order, each byte once.
    ///
    /// One ranged GET; when the connection fails mid-body the rest is asked for again, so
    /// `consume` never sees a byte twice and memory stays at a few network buffers. A body that
    /// arrives slower than the low-speed limit is asked for again at most
    /// ``unreachableAttempts`` times.
    public func read(
        _ location: ObjectLocation, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void
    ) async throws(StoreError) {
        let total = range.upperBound - range.lowerBound
        var delivered: Int64 = 0
        var attempt = 0
        var slow = 0
        while delivered < total {
            attempt += 1
            let first = range.lowerBound + delivered
            var call = Call(method: .GET, bucket: location.bucket, key: location.key, timeout: 600)
            call.headers = [("range", "bytes=\(first)-\(range.upperBound - 1)")]
            let response = try await send(call, accepting: [206])
            let reason: String
            do {
                var watch = BodyWatch(configuration.lowSpeed)
                for try await buffer in response.body {
                    try watch.received(buffer.readableBytes)
                    let usable = min(Int64(buffer.readableBytes), total - delivered)
                    buffer.withUnsafeReadableBytes { consume(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(usable)))) }
                    delivered += usable
                }
                guard delivered < total else { return }
                reason = "the store ended the body \(total - delivered) bytes early"
            } catch let error as TooSlow {
                slow += 1
                reason = error.cause
            } catch {
                reason = transportFailure(error, call: call).cause
            }
            guard slow < Self.unreachableAttempts, await retry.pause(afterAttempt: attempt) else {
                throw StoreError(.unreachable, location.description, "reading bytes \(first)..<\(range.upperBound) failed: \(reason)")
                    .after(attempt)
            }
        }
    }

    /// The whole object at `location` (at most `limit` bytes); nil when there is none.
    public func get(_ location: ObjectLocation, limit: Int = 256 << 20) async throws(StoreError) -> (bytes: [UInt8], etag: String)? {
        let call = Call(method: .GET, bucket: location.bucket, key: location.key, timeout: 600)
        let (response, body) = try await sendCollecting(call, accepting: [200, 404], limit: limit)
        guard response.status == .ok else {
            if XMLDocument(Array(buffer: body)).first("Code") == "NoSuchBucket" {
                throw StoreError(.noSuchBucket, "s3://\(location.bucket)", "no such bucket")
            }
            return nil
        }
        return (Array(buffer: body), response.headers.first(name: "etag") ?? "")
    }

    /// Writes `bytes` as the object at `location` in one request, with the configured
    /// checksum for the store to verify; returns the new entity tag.
    @discardableResult
    public func put(_ location: ObjectLocation, bytes: [UInt8], options: WriteOptions = WriteOptions()) async throws(StoreError) -> String {
        try await put(location, buffer: ByteBuffer(bytes: bytes), options: options)
    }

    func put(_ location: ObjectLocation, buffer: ByteBuffer, options: WriteOptions) async throws(StoreError) -> String {
        try await checkConditionByHead(location, options: options)
        var call = Call(method: .PUT, bucket: location.bucket, key: location.key, body: .buffer(buffer))
        call.headers =
            [("content-type", options.contentType)] + buffer.withUnsafeReadableBytes { checksumHeaders($0) } + conditionHeaders(options)
        if let storageClass = options.storageClass { call.headers.append(("x-amz-storage-class", storageClass)) }
        let response = try await send(call)
        return response.headers.first(name: "etag") ?? ""
    }

    /// Asks the store to bring an archived object back for `days` days (`RestoreObject`);
    /// true when a restore started, false when one is already under way or done.
    public func restore(_ location: ObjectLocation, days: Int, tier: String = "Standard") async throws(StoreError) -> Bool {
        let xml =
            "<RestoreRequest><Days>\(days)</Days><GlacierJobParameters><Tier>\(XMLDocument.escape(tier))</Tier></GlacierJobParameters></RestoreRequest>"
        var call = Call(
            method: .POST, bucket: location.bucket, key: location.key, query: [("restore", "")], body: .buffer(ByteBuffer(string: xml)))
        call.headers = xml.utf8.withContiguousStorageIfAvailable { checksumHeaders(UnsafeRawBufferPointer($0), forcing: .md5) } ?? []
        let response = try await send(call, accepting: [200, 202, 409])
        return response.status.code == 202
    }

    /// Deletes the object at `location` (no error when it is already gone).
    public func delete(_ location: ObjectLocation) async throws(StoreError) {
        _ = try await send(Call(method: .DELETE, bucket: location.bucket, key: location.key), accepting: [200, 204, 404])
    }

    /// The headers that let the store verify an upload's bytes.
    func checksumHeaders(
        _ bytes: UnsafeRawBufferPointer, forcing kind: StoreConfiguration.UploadChecksum? = nil
    ) -> [(name: String, value: String)] {
        switch kind ?? configuration.uploadChecksum {
        case .crc32c:
            let crc = CRC32C.checksum(bytes)
            return [
                (
                    "x-amz-checksum-crc32c",
                    Base64.encode([UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
                )
            ]
        case .md5:
            return [("content-md5", Base64.encode(Array(Insecure.MD5.hash(data: bytes))))]
        case .none:
            return []
        }
    }

    /// For a store without conditional writes: the condition checked by a HEAD before the
    /// write (another writer between the two is not detected).
    func checkConditionByHead(_ location: ObjectLocation, options: WriteOptions) async throws(StoreError) {
        guard configuration.conditionalWrites == .head, options.createOnly || options.ifMatch != nil else { return }
        let existing = try await head(location)
        if options.createOnly && existing != nil {
            throw StoreError(.preconditionFailed, location.description, "the object exists (precondition failed)")
        }
        if let etag = options.ifMatch, existing?.etag != etag {
            throw StoreError(.preconditionFailed, location.description, "the object changed (precondition failed)")
        }
    }

    func conditionHeaders(_ options: WriteOptions) -> [(name: String, value: String)] {
        guard configuration.conditionalWrites == .native else { return [] }
        if let etag = options.ifMatch { return [("if-match", etag)] }
        return options.createOnly ? [("if-none-match", "*")] : []
    }
}
