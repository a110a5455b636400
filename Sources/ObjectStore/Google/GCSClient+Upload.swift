import AsyncHTTPClient
import Checksums
import MappedIO
import NIOCore

extension GCSClient {
    /// Below the resumable threshold, one multipart upload; otherwise a resumable upload, sent
    /// a chunk at a time and, after a failure, resumed from the offset the store says it has
    /// committed. The metadata carries the file's CRC-32C, which the store checks when the
    /// upload completes, and its answer must carry the same.
    public func upload(file path: String, to location: ObjectLocation, options: WriteOptions) async throws -> String {
        let file = try MappedFile(path: path)
        guard file.count >= configuration.resumableThreshold else {
            return try await send(file.withUnsafeBytes { multipartUpload(of: $0, to: location, options: options) }, to: location)
        }
        let crc = Base64.crc32c(Self.checksum(of: file, chunk: configuration.partSize))
        let session = try await startResumable(location, options: options, crc32c: crc)
        return try await sendChunks(of: file, to: session, location: location, crc32c: crc)
    }

    /// The CRC-32C of the whole file, read a chunk at a time and each chunk's pages released
    /// after it, so a large file's upload never holds more than a chunk resident.
    private static func checksum(of file: MappedFile, chunk: Int) -> UInt32 {
        var crc = CRC32C()
        var offset = 0
        while offset < file.count {
            let end = min(file.count, offset + chunk)
            file.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
            file.evict(offset..<end)
            offset = end
        }
        return crc.value
    }

    /// Starts a resumable upload; returns its session's path (the `Location` the store gave,
    /// without its scheme and host, which are the endpoint's).
    private func startResumable(_ location: ObjectLocation, options: WriteOptions, crc32c: String) async throws(StoreError) -> String {
        var call = StoreCall(
            .POST, location, path: GoogleDialect.uploadPath(location), query: [("uploadType", "resumable")] + preconditions(options),
            body: .buffer(ByteBuffer(string: metadata(location, options: options, crc32c: crc32c))))
        call.headers = [("content-type", "application/json; charset=UTF-8")]
        let response = try await transport.send(call)
        guard let session = response.headers.first(name: "location"), let scheme = session.range(of: "://"),
            let slash = session[scheme.upperBound...].firstIndex(of: "/")
        else {
            throw StoreError(.malformedResponse, location.description, "the store started a resumable upload without a session URL")
        }
        return String(session[slash...])
    }

    /// Sends the file in chunks of ``GoogleStoreConfiguration/partSize`` bytes; after a failed
    /// chunk, asks the store what it has committed and goes on from there (at most
    /// ``GoogleStoreConfiguration/maxAttempts`` failures in a row). Returns the new generation.
    private func sendChunks(
        of file: MappedFile, to session: String, location: ObjectLocation, crc32c: String
    ) async throws(StoreError) -> String {
        let total = file.count
        var committed = 0
        var failures = 0
        while true {
            let end = min(total, committed + configuration.partSize)
            var call = StoreCall(
                .PUT, location, path: session, body: .mapped(MappedRange(file: file, range: committed..<end)), timeout: 600)
            call.headers = [("content-range", "bytes \(committed)-\(end - 1)/\(end == total ? String(total) : "*")")]
            let outcome = try await transport.attempt(call, accepting: [200, 201, 308])
            // Sent (or given up): release the chunk's pages, so an upload stays at a chunk resident.
            file.evict(committed..<end)
            let failure: StoreError
            let retryable: Bool
            switch outcome {
            case .answered(let response) where response.status.code == 308:
                let next = try Self.committedOffset(response, location: location)
                guard next > committed, next <= end else {
                    throw StoreError(
                        .malformedResponse, location.description, "the store committed up to byte \(next) of a chunk \(committed)..<\(end)")
                }
                committed = next
                failures = 0
                continue
            case .answered(let response):
                do {
                    let answer = Array(buffer: try await response.body.collect(upTo: 1 << 20, speed: configuration.lowSpeed))
                    return try created(location, answer: answer, crc32c: crc32c, size: Int64(total))
                } catch let error as StoreError {
                    throw error
                } catch {
                    // The upload may be complete: the status below says.
                    (failure, retryable) = (transport.transportFailure(error, call: call), true)
                }
            case .failed(let error, let canRetry, _):
                (failure, retryable) = (error, canRetry)
            }
            failures += 1
            guard retryable, await transport.retry.pause(afterAttempt: failures) else {
                throw retryable ? failure.after(failures) : failure
            }
            switch try await status(of: session, location: location, total: total) {
            case .complete(let answer): return try created(location, answer: answer, crc32c: crc32c, size: Int64(total))
            case .committed(let offset): committed = offset
            }
        }
    }

    /// Where a resumable upload stands, as the store says.
    private enum UploadStatus {
        case committed(Int)
        /// Complete: the object resource.
        case complete([UInt8])
    }

    /// Asks the store how much of the upload it has (`Content-Range: bytes */TOTAL`).
    private func status(of session: String, location: ObjectLocation, total: Int) async throws(StoreError) -> UploadStatus {
        var call = StoreCall(.PUT, location, path: session)
        call.headers = [("content-range", "bytes */\(total)")]
        let (response, body) = try await transport.sendCollecting(call, accepting: [200, 201, 308], limit: 1 << 20)
        guard response.status.code == 308 else { return .complete(Array(buffer: body)) }
        let offset = try Self.committedOffset(response, location: location)
        guard offset <= total else {
            throw StoreError(.malformedResponse, location.description, "the store says it committed \(offset) bytes of \(total)")
        }
        return .committed(offset)
    }

    /// The committed offset a `308` answer gives: its `Range: bytes=0-LAST`, or 0 without one.
    private static func committedOffset(_ response: HTTPClientResponse, location: ObjectLocation) throws(StoreError) -> Int {
        guard let range = response.headers.first(name: "range") else { return 0 }
        guard range.hasPrefix("bytes=0-"), let last = Int(range.dropFirst("bytes=0-".count)), last >= 0, last < Int.max else {
            throw StoreError(.malformedResponse, location.description, "the store gave the committed range \"\(range)\"")
        }
        return last + 1
    }
}
