import MappedIO
import ObjectStore
import Synchronization

/// The object stores behind `s3://` and `gs://` paths, for synchronous callers: a client per
/// store, made on first use from the session's environment and shut down when the session goes
/// away, and a bridge that runs async work to completion while the calling thread waits, its
/// failures thrown as they are.
public final class RemoteSession: Sendable {
    private let environment: [String: String]
    private let clients = Mutex<[ObjectLocation.Store: any StoreClient]>([:])

    /// The session of this process, configured from its environment, created on first use.
    public static func shared() -> RemoteSession {
        process.withLock { session in
            if let session { return session }
            let created = RemoteSession(environment: StoreConfiguration.processEnvironment)
            session = created
            return created
        }
    }

    private static let process = Mutex<RemoteSession?>(nil)

    /// A session whose clients are configured from `environment`: the variables AWS tools read
    /// for `s3://`, those Google's read for `gs://`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// A session shuts its clients (and their connections) down when it goes away.
    deinit {
        let clients = clients.withLock { Array($0.values) }
        _ = try? AsyncBridge.run {
            for client in clients { await client.shutdown() }
        }
    }

    /// Whether `path` names an object-store location (`s3://…`, `gs://…`) rather than a local
    /// path.
    public static func isRemote(_ path: String) -> Bool { ObjectLocation.isURL(path) }

    /// The location an `s3://` or `gs://` path names.
    ///
    /// - Throws: ``RemoteError`` (``RemoteError/Code/notAURL``) saying what a location must be.
    public static func location(_ path: String) throws -> ObjectLocation {
        guard let location = ObjectLocation(url: path) else {
            throw RemoteError(
                .notAURL,
                "\(path): not an object-store URL of the form s3://BUCKET/KEY or gs://BUCKET/KEY (bucket names are 3-63 lower-case letters, digits, dots and dashes; no key segment is empty, . or .., or holds a control character)"
            )
        }
        return location
    }

    /// The folder URL (ending in `/`) and the object name of the path `url`.
    public static func folderAndName(of url: String) throws -> (folder: String, name: String) {
        let location = try location(url)
        return (location.parent.description, location.name)
    }

    /// The client of the store `location` is in, made on first use.
    ///
    /// - Throws: ``StoreError`` for a setting that cannot be used or credentials that cannot be
    ///   read, `FileError` for a configuration or credentials file that cannot be opened.
    func client(for location: ObjectLocation) throws -> any StoreClient {
        try clients.withLock { clients throws -> any StoreClient in
            if let client = clients[location.store] { return client }
            let client: any StoreClient =
                switch location.store {
                case .s3: try S3Client(environment: environment)
                case .gcs: try GCSClient(environment: environment)
                }
            clients[location.store] = client
            return client
        }
    }

    /// Runs `work` against the store `location` is in, waiting for it.
    ///
    /// - Throws: what `work` threw, unchanged (a ``StoreError`` for the store's failures), or
    ///   what ``client(for:)`` throws.
    func run<Value: Sendable>(
        on location: ObjectLocation, _ work: @escaping @Sendable (any StoreClient) async throws -> Value
    ) throws -> Value {
        let client = try client(for: location)
        return try AsyncBridge.run { try await work(client) }
    }
}
