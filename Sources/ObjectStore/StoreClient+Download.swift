import Checksums
import MappedIO

extension StoreClient {
    /// Copies the object `object` (its size as listed) into the local file at `path`, which
    /// appears only once complete and, when the store keeps a CRC-32C of the object, only if
    /// the bytes match it; an existing file is an error.
    ///
    /// - Throws: ``StoreError`` for the store's failures (``StoreError/Code/malformedResponse``
    ///   for bytes that do not match the store's CRC-32C), `FileError` for the local file's.
    public func download(_ object: ObjectInfo, to path: String) async throws {
        let output = try OutputFile(path: path)
        var failure: FileError? = nil
        var crc = CRC32C()
        try await read(object.location, range: 0..<object.size) { bytes in
            guard failure == nil else { return }
            if object.crc32c != nil { crc.update(bytes) }
            do throws(FileError) {
                try output.write(bytes)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if let expected = object.crc32c, Base64.crc32c(crc.value) != expected {
            throw StoreError(
                .malformedResponse, object.location.description,
                "the downloaded bytes do not match the store's CRC-32C of the object (\(Base64.crc32c(crc.value)), not \(expected)); nothing was written"
            )
        }
        try output.commit(durable: false)
    }

    /// Copies several objects into the local directory `directory` (under their names), a few
    /// at a time.
    ///
    /// - Throws: the first failure of ``download(_:to:)``.
    public func download(_ objects: [ObjectInfo], into directory: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = objects[...]
            func launch() {
                guard let object = pending.popFirst() else { return }
                group.addTask {
                    try await self.download(object, to: Path.join(directory, object.location.name))
                }
            }
            for _ in 0..<8 { launch() }
            while try await group.next() != nil { launch() }
        }
    }
}
