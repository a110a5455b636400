import MappedIO
import ObjectStore
import Synchronization

/// The object store behind `s3://` paths, for synchronous callers: one client (shut down when
/// the session goes away), and a bridge that runs its async work to completion while the calling
/// thread waits, its failures thrown as they are.
public final class RemoteSession: Sendable {
    let client: S3Client

    /// The session of this process, configured from the environment the way AWS tools are,
    /// created on first use.
    ///
    /// - Throws: what ``init(environment:)`` throws when the configuration is unusable.
    public static func shared() throws -> RemoteSession {
        try process.withLock { session in
            if let session { return session }
            let created = try RemoteSession(environment: StoreConfiguration.processEnvironment)
            session = created
            return created
        }
    }

    private static let process = Mutex<RemoteSession?>(nil)

    /// A session configured from `environment` (the variables AWS tools read).
    ///
    /// - Throws: ``StoreError`` for a setting that cannot be used, `FileError` for a profile
    ///   file that cannot be read.
    public convenience init(environment: [String: String]) throws {
        self.init(client: try S3Client(environment: environment))
    }

    init(client: S3Client) {
        self.client = client
    }

    /// A session shuts its client (and its connections) down when it goes away.
    deinit {
        let client = client
        _ = try? AsyncBridge.run { await client.shutdown() }
    }

    /// Whether `path` names an object-store location (`s3://…`) rather than a local path.
    public static func isRemote(_ path: String) -> Bool { ObjectLocation.isURL(path) }

    /// The location an `s3://` path names.
    ///
    /// - Throws: ``RemoteError`` (``RemoteError/Code/notAURL``) saying what a location must be.
    public static func location(_ path: String) throws -> ObjectLocation {
        guard let location = ObjectLocation(url: path) else {
            throw RemoteError(
                .notAURL,
                "\(path): not an object-store URL of the form s3://BUCKET/KEY (bucket names are 3-63 lower-case letters, digits, dots and dashes; no key segment is empty, . or .., or holds a control character)"
            )
        }
        return location
    }

    /// The folder URL (ending in `/`) and the object name of the `s3://` path `url`.
    public static func folderAndName(of url: String) throws -> (folder: String, name: String) {
        let location = try location(url)
        return (location.parent.description, location.name)
    }

    /// Runs `work` against the store, waiting for it.
    ///
    /// - Throws: what `work` threw, unchanged (a ``StoreError`` for the store's failures).
    func run<Value: Sendable>(_ work: @escaping @Sendable (S3Client) async throws -> Value) throws -> Value {
        let client = client
        return try AsyncBridge.run { try await work(client) }
    }
}
