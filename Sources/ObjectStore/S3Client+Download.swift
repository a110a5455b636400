import MappedIO

extension S3Client {
    /// Copies the object at `location` (of `size` bytes, as listed) into the local file at
    /// `path`, which appears only once complete; an existing file is an error.
    ///
    /// - Throws: ``StoreError`` for the store's failures, `FileError` for the local file's.
    public func download(_ location: ObjectLocation, size: Int64, to path: String) async throws {
        let output = try OutputFile(path: path)
        var failure: FileError? = nil
        try await read(location, range: 0..<size) { bytes in
            guard failure == nil else { return }
            do throws(FileError) {
                try output.write(bytes)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        try output.commit(durable: false)
    }

    /// Copies several objects into the local directory `directory` (under their names), a few
    /// at a time.
    ///
    /// - Throws: the first failure of ``download(_:size:to:)``.
    public func download(_ objects: [ObjectInfo], into directory: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = objects[...]
            func launch() {
                guard let object = pending.popFirst() else { return }
                group.addTask {
                    try await self.download(object.location, size: object.size, to: Path.join(directory, object.location.name))
                }
            }
            for _ in 0..<8 { launch() }
            while try await group.next() != nil { launch() }
        }
    }
}
