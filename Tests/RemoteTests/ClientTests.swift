import FixtureSupport
import Foundation
import ObjectStore
import Testing

/// The clients' writes against every server: conditional creates and compare-and-swap,
/// multipart and resumable uploads, listings past one page, ranged reads.
@Suite("Store client writes", .needsServers)
struct ClientTests {
    static func store(_ server: String) throws -> TestStore { try TestStore.named(server) }

    @Test(arguments: ["SeaweedFS", "moto", "fake-gcs-server"])
    func conditionalWritesNeverReplace(server: String) async throws {
        let client = try Self.store(server).client()
        defer { Task { await client.shutdown() } }
        let target = try Self.store(server).freshPrefix("conditional").appending("object")
        let first = try await client.put(target, bytes: Array("one".utf8), options: WriteOptions(createOnly: true))
        await #expect(throws: StoreError.self) {
            try await client.put(target, bytes: Array("two".utf8), options: WriteOptions(createOnly: true))
        }
        #expect(try await client.get(target)?.bytes == Array("one".utf8))
        // Compare-and-swap: the current tag wins once, a stale tag never.
        let second = try await client.put(target, bytes: Array("two".utf8), options: WriteOptions(ifVersion: first))
        do {
            try await client.put(target, bytes: Array("three".utf8), options: WriteOptions(ifVersion: first))
            Issue.record("a stale version replaced the object")
        } catch {
            #expect(error.code == .preconditionFailed)
        }
        #expect(try await client.get(target)?.bytes == Array("two".utf8))
        #expect(second != first)
        #expect(try await client.head(target.parent.appending("absent")) == nil)
    }

    @Test(arguments: ["SeaweedFS", "moto", "fake-gcs-server"])
    func multipartUploadsRoundTrip(server: String) async throws {
        let store = try Self.store(server)
        let client = try store.client(["CKPT_S3_PART_MIB": "5"])
        defer { Task { await client.shutdown() } }
        let scratch = TemporaryDirectory()
        var bytes = [UInt8](repeating: 0, count: (64 << 20) + 12_345)
        var state: UInt64 = 7
        for index in stride(from: 0, to: bytes.count, by: 8) {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            withUnsafeBytes(of: state) {
                for (offset, byte) in $0.enumerated() where index + offset < bytes.count { bytes[index + offset] = byte }
            }
        }
        TestFiles.write(bytes, to: scratch.path("big"))
        let target = store.freshPrefix("multipart").appending("big")
        try await client.upload(file: scratch.path("big"), to: target, options: WriteOptions(createOnly: true))
        #expect(try await client.head(target)?.size == Int64(bytes.count))
        var read: [UInt8] = []
        try await client.read(target, range: 5_000_000..<21_000_000) { read.append(contentsOf: $0) }
        // Compared apart from #expect, which would describe 16 MiB arrays on failure.
        let readBack = read == Array(bytes[5_000_000..<21_000_000])
        #expect(readBack, "the ranged read differs (\(read.count) bytes read)")
        // A second create-only multipart upload loses and leaves the object as it was. (Google
        // takes `ifGenerationMatch=0` on a resumable upload's first request, but fake-gcs-server
        // ignores it there; ResumableUploadTests checks that the client sends it.)
        if store.kind == .s3 {
            TestFiles.write([UInt8](repeating: 1, count: 70 << 20), to: scratch.path("other"))
            await #expect(throws: StoreError.self) {
                try await client.upload(file: scratch.path("other"), to: target, options: WriteOptions(createOnly: true))
            }
        }
        let info = try #require(try await client.head(target))
        try await client.download(info, to: scratch.path("copy"))
        let copied = TestFiles.read(scratch.path("copy")) == bytes
        #expect(copied, "the download differs")
    }

    @Test(arguments: ["SeaweedFS", "fake-gcs-server"])
    func listingsFollowPageTokens(server: String) async throws {
        let store = try Self.store(server)
        let client = try store.client()
        defer { Task { await client.shutdown() } }
        let folder = store.freshPrefix("listing")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1_010 {
                group.addTask { try await client.put(folder.appending("item-\(index)"), bytes: [UInt8(index & 0xFF)]) }
                if index % 32 == 31 { try await group.waitForAll() }
            }
            try await group.waitForAll()
        }
        try await client.put(folder.appending("sub/nested"), bytes: [1])
        let flat = try await client.list(folder, delimiter: "/")
        #expect(flat.objects.count == 1_010)
        #expect(flat.folders == [folder.key + "sub/"])
        let deep = try await client.list(folder)
        #expect(deep.objects.count == 1_011)
    }

    /// SeaweedFS checks upload checksums and refuses a body that does not match its
    /// Content-MD5 or CRC-32C header (BadDigest): an accepted upload shows that the digest we
    /// compute and encode is the one the server computes.
    @Test(arguments: ["md5", "crc32c"])
    func uploadsCarryChecksumsTheServerChecks(kind: String) async throws {
        let store = try TestStore.seaweedfs
        let client = try store.client(["CKPT_S3_CHECKSUM": kind])
        defer { Task { await client.shutdown() } }
        let target = store.freshPrefix("checksum-\(kind)").appending("object")
        try await client.put(target, bytes: Array("checked bytes".utf8))
        #expect(try await client.get(target)?.bytes == Array("checked bytes".utf8))
    }
}
