import Checksums
import FixtureSupport
import Foundation
import NIOHTTP1
import Synchronization
import Testing

@testable import ObjectStore

/// A resumable upload to Google Cloud Storage, against a loopback server that plays the JSON
/// API's part and fails one chunk after committing half of it: the client starts the session
/// with its preconditions and the file's CRC-32C, asks what was committed after the failure,
/// and goes on from there, so the server assembles exactly the file.
struct ResumableUploadTests {
    /// What the server has received, and whether it has failed a chunk yet.
    final class Upload: Sendable {
        let state = Mutex<(bytes: [UInt8], failed: Bool, ranges: [String])>(([], false, []))
    }

    @Test func aFailedChunkResumesFromTheCommittedOffset() async throws {
        let size = 3 << 19  // 1.5 MiB: three chunks of 512 KiB
        var file = [UInt8](repeating: 0, count: size)
        for index in file.indices { file[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        let crc = Base64.crc32c(file.withUnsafeBytes { CRC32C.checksum($0) })
        let upload = Upload()
        let server = try await LoopbackHTTPServer { request in
            if request.method == .POST {
                return .init(headers: [("Location", "http://storage.example/upload/session?upload_id=abc")])
            }
            let range = request.headers.first(name: "content-range") ?? ""
            return upload.state.withLock { state in
                state.ranges.append(range)
                let committed = state.bytes.count
                if range == "bytes */\(size)" {
                    return .init(status: .permanentRedirect, headers: [("Range", "bytes=0-\(committed - 1)")])
                }
                let span = range.dropFirst("bytes ".count).split(separator: "/")[0].split(separator: "-").map { Int($0)! }
                #expect(span[0] == committed, "a chunk from \(span[0]) when \(committed) bytes are committed")
                if !state.failed {
                    // Half the first chunk arrives, then the server fails.
                    state.failed = true
                    state.bytes += request.body.prefix(request.body.count / 2)
                    return .init(status: .serviceUnavailable)
                }
                state.bytes += request.body
                guard state.bytes.count == size else {
                    return .init(status: .permanentRedirect, headers: [("Range", "bytes=0-\(state.bytes.count - 1)")])
                }
                let resource = #"{"name": "run/big", "size": "\#(size)", "generation": "5", "crc32c": "\#(crc)"}"#
                return .init(body: resource)
            }
        }
        defer { Task { try await server.shutdown() } }
        var configuration = GoogleStoreConfiguration(endpoint: try #require(StoreConfiguration.Endpoint(url: server.url)))
        configuration.partSize = 512 << 10
        configuration.resumableThreshold = 1 << 20
        let client = GCSClient(
            configuration: configuration, credentials: try GoogleCredentials(environment: ["STORAGE_EMULATOR_HOST": server.url]))
        defer { Task { await client.shutdown() } }
        let scratch = TemporaryDirectory()
        TestFiles.write(file, to: scratch.path("big"))

        let location = try #require(ObjectLocation(url: "gs://bucket/run/big"))
        let generation = try await client.upload(file: scratch.path("big"), to: location, options: WriteOptions(createOnly: true))
        #expect(generation == "5")
        let assembled = upload.state.withLock { $0.bytes } == file
        #expect(assembled, "the server did not assemble the file")
        let start = try #require(server.requests.first)
        #expect(start.path.hasPrefix("/upload/storage/v1/b/bucket/o?"))
        #expect(start.path.contains("uploadType=resumable") && start.path.contains("ifGenerationMatch=0"), "\(start.path)")
        #expect(String(decoding: start.body, as: UTF8.self).contains(#""crc32c":"\#(crc)""#))
        #expect(server.requests.dropFirst().allSatisfy { $0.path == "/upload/session?upload_id=abc" })
        #expect(
            upload.state.withLock { $0.ranges } == [
                "bytes 0-524287/*", "bytes */\(size)", "bytes 262144-786431/*", "bytes 786432-1310719/*", "bytes 1310720-1572863/\(size)",
            ])
    }
}
