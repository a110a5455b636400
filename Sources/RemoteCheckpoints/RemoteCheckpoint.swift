import MappedIO
import ObjectStore
import TensorBundle
import TrainingState
import Verification

/// A checkpoint in an object-store folder, read where it is: its index fetched whole, its data
/// streamed in ranged reads, a tensor's bytes read on request.
public struct RemoteCheckpoint: Sendable {
    /// The folder that holds it, as listed.
    public let folder: RemoteFolder
    /// Its prefix, `s3://bucket/folder/NAME`.
    public let prefix: String

    public init(folder: RemoteFolder, prefix: String) {
        self.folder = folder
        self.prefix = prefix
    }

    /// Opens the checkpoint: its index read whole into memory, its data files known by their
    /// listed sizes.
    public func open(in session: RemoteSession) throws -> CheckpointBundle {
        let (folder, name) = (folder, Path.fileName(of: prefix))
        return try session.run(on: folder.location) { client in try await folder.bundle(named: name, client: client) }
    }

    /// Verifies the opened `bundle` with `verifier`, streaming its data files: ranged reads as
    /// large and as many in flight as the store's configuration says.
    ///
    /// - Throws: ``StoreError`` when the store fails (which says nothing about the checkpoint).
    public func verify(
        _ bundle: CheckpointBundle, with verifier: Verifier, in session: RemoteSession
    ) throws -> CheckpointReport {
        var verifier = verifier
        let client = try session.client(for: folder.location)
        verifier.readsInFlight = min(client.connections, 32)
        verifier.chunkSize = client.rangeSize
        let (configured, siblings) = (verifier, folder.names)
        return try session.run(on: folder.location) { client in
            try await configured.verify(bundle, reader: StoreShardReader(client: client), siblings: siblings)
        }
    }

    /// The training state of the opened `bundle`, its object graph read from the store (a graph
    /// that does not read leaves the names to the stored keys, as a local one does).
    public func trainingState(of bundle: CheckpointBundle, in session: RemoteSession) throws -> TrainingState {
        let folder = folder
        let graph = try session.run(on: folder.location) { client -> [UInt8]? in
            guard
                case .strings(let strings)? = try? await folder.value(forKey: Array(ObjectGraph.key.utf8), of: bundle, client: client)
                    .contents,
                strings.count == 1
            else { return nil }
            return strings[0]
        }
        return TrainingState(bundle: bundle, objectGraph: graph)
    }

    /// The value of the opened `bundle`'s tensor under `key`, its bytes read in one ranged read
    /// and checked as TensorFlow checks them on restore, or why it fails those checks.
    ///
    /// - Throws: ``StoreError`` when the store fails.
    public func value(
        forKey key: [UInt8], of bundle: CheckpointBundle, in session: RemoteSession
    ) throws -> Result<
        TensorValue, TensorError
    > {
        let folder = folder
        return try session.run(on: folder.location) { client in
            do {
                return .success(try await folder.value(forKey: key, of: bundle, client: client))
            } catch let error as TensorError {
                return .failure(error)
            }
        }
    }
}
