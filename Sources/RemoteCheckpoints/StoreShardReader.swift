import ObjectStore
import Verification

/// Streams a remote checkpoint's data files from the store, for the verifier.
struct StoreShardReader: ShardReader {
    let client: any StoreClient

    func read(_ path: String, range: Range<Int64>, into consume: (UnsafeRawBufferPointer) -> Void) async throws {
        guard let location = ObjectLocation(url: path) else { throw RemoteError(.notAURL, "\(path): not an object-store URL") }
        try await client.read(location, range: range, into: consume)
    }
}
