import AsyncHTTPClient
import Glibc
import NIOCore
import Testing

@testable import ObjectStore

/// Transport failures are told by the error's type and code, never by its text, and the
/// error is kept as the cause of the ``StoreError`` that reports it.
struct TransportFailureTests {
    @Test func reasonsComeFromTypesAndCodes() {
        #expect(transportReason(for: IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused")
        #expect(transportReason(for: IOError(errnoCode: ECONNRESET, reason: "read")) == "the connection was closed")
        #expect(transportReason(for: HTTPClientError.connectTimeout) == "connecting timed out")
        #expect(transportReason(for: HTTPClientError.readTimeout) == "no answer in time")
        #expect(transportReason(for: HTTPClientError.remoteConnectionClosed) == "the connection was closed")
        #expect(transportReason(for: ChannelError.eof) == "the connection was closed")
        // An error whose text merely mentions a known failure is not taken for it.
        struct Mentions: Error, CustomStringConvertible { var description: String { "Connection refused, said nobody" } }
        #expect(transportReason(for: Mentions()) == "Connection refused, said nobody")
    }

    @Test func aRefusedConnectionKeepsItsCause() async throws {
        // Nothing listens on the discard port of the loopback interface.
        let client = try S3Client(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "us-east-1",
            "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent",
        ])
        await #expect {
            _ = try await client.head(ObjectLocation(url: "s3://bucket/key")!)
        } throws: { error in
            guard let error = error as? StoreError, error.code == .unreachable else { return false }
            return (error.underlying as? IOError)?.errnoCode == ECONNREFUSED && error.cause.contains("connection refused")
        }
        await client.shutdown()
    }
}
