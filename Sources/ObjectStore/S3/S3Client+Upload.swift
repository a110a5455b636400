import MappedIO
import NIOCore

extension S3Client {
    /// One PUT below the multipart threshold, otherwise a multipart upload with several parts
    /// in flight, each sent with `Content-MD5`, aborted on any failure so that no part is left
    /// behind.
    public func upload(file path: String, to location: ObjectLocation, options: WriteOptions) async throws -> String {
        let file = try MappedFile(path: path)
        guard file.count >= configuration.multipartThreshold else {
            return try await put(location, buffer: file.withUnsafeBytes { ByteBuffer(bytes: $0) }, options: options)
        }
        try await checkConditionByHead(location, options: options)
        let partSize = max(configuration.partSize, (file.count + 9_999) / 10_000)
        let uploadID = try await startMultipart(location, options: options)
        do {
            let etags = try await uploadParts(of: file, partSize: partSize, to: location, uploadID: uploadID)
            return try await completeMultipart(location, uploadID: uploadID, etags: etags, options: options)
        } catch {
            try? await abortMultipart(location, uploadID: uploadID)
            throw error
        }
    }

    private func startMultipart(_ location: ObjectLocation, options: WriteOptions) async throws(StoreError) -> String {
        var call = StoreCall(.POST, location, query: [("uploads", "")])
        call.headers = [("content-type", options.contentType)]
        if let storageClass = options.storageClass { call.headers.append(("x-amz-storage-class", storageClass)) }
        let (_, body) = try await transport.sendCollecting(call, limit: 1 << 20)
        guard let uploadID = XMLDocument(Array(buffer: body)).first("UploadId"), !uploadID.isEmpty else {
            throw StoreError(.malformedResponse, location.description, "the store started a multipart upload without an upload id")
        }
        return uploadID
    }

    /// Uploads every part, a few at a time; returns their entity tags in part order.
    private func uploadParts(
        of file: MappedFile, partSize: Int, to location: ObjectLocation, uploadID: String
    ) async throws -> [String] {
        let count = (file.count + partSize - 1) / partSize
        // The pages of the parts in flight are resident until each is sent: about 128 MiB of them.
        let inFlight = max(1, min(8, configuration.connections, (128 << 20) / partSize, count))
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var etags = [String](repeating: "", count: count)
            var next = 0
            func launch() {
                let index = next
                next += 1
                let range = index * partSize..<min(file.count, (index + 1) * partSize)
                group.addTask {
                    (index, try await self.uploadPart(file, range: range, number: index + 1, to: location, uploadID: uploadID))
                }
            }
            while next < min(inFlight, count) { launch() }
            while let (index, etag) = try await group.next() {
                etags[index] = etag
                if next < count { launch() }
            }
            return etags
        }
    }

    private func uploadPart(
        _ file: MappedFile, range: Range<Int>, number: Int, to location: ObjectLocation, uploadID: String
    ) async throws(StoreError) -> String {
        let part = Payload.mapped(MappedRange(file: file, range: range))
        let kind: StoreConfiguration.UploadChecksum = configuration.uploadChecksum == .none ? .none : .md5
        var call = StoreCall(.PUT, location, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: part)
        call.headers = part.withUnsafeBytes { checksumHeaders($0, forcing: kind) }
        // Sent (or given up): release the part's pages, so an upload's resident size stays at the parts in flight.
        defer { file.evict(range) }
        let response = try await transport.send(call)
        guard let etag = response.headers.first(name: "etag") else {
            throw StoreError(.malformedResponse, location.description, "the store accepted part \(number) without an entity tag")
        }
        return etag
    }

    private func completeMultipart(
        _ location: ObjectLocation, uploadID: String, etags: [String], options: WriteOptions
    ) async throws(StoreError) -> String {
        let parts = etags.enumerated().map {
            "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(XMLDocument.escape($0.element))</ETag></Part>"
        }
        let xml = "<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>"
        var call = StoreCall(.POST, location, query: [("uploadId", uploadID)], body: .buffer(ByteBuffer(string: xml)))
        call.headers = [("content-type", "application/xml")] + conditionHeaders(options)
        let (response, body) = try await transport.sendCollecting(call, limit: 1 << 20)
        // The store may answer 200 and report a failure in the body.
        let document = XMLDocument(Array(buffer: body))
        if let code = document.first("Code") {
            throw StoreError(
                .server, location.description, "completing the multipart upload failed (\(code): \(document.first("Message") ?? ""))")
        }
        return document.first("ETag") ?? response.headers.first(name: "etag") ?? ""
    }

    private func abortMultipart(_ location: ObjectLocation, uploadID: String) async throws(StoreError) {
        _ = try await transport.send(StoreCall(.DELETE, location, query: [("uploadId", uploadID)]), accepting: [200, 204, 404])
    }
}
