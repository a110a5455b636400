import MappedIO

extension S3Client {
    /// Copies the object at `location` (of `size` bytes, as listed) into the local file at
    /// `path`, which appears only once complete; an existing file is an error.
    public func download(_ location: ObjectLocation, size: Int64, to path: String) async throws(StoreError) {
        let output: OutputFile
        do {
            output = try OutputFile(path: path)
        } catch {
            throw StoreError(.io, path, error.cause)
        }
        var failure: FileError? = nil
        try await read(location, range: 0..<size) { bytes in
            guard failure == nil else { return }
            do throws(FileError) {
                try output.write(bytes)
            } catch {
                failure = error
            }
        }
        do throws(FileError) {
            if let failure { throw failure }
            try output.commit(durable: false)
        } catch {
            throw StoreError(.io, path, error.cause)
        }
    }

    /// Copies several objects into the local directory `directory` (under their names), a few
    /// at a time.
    public func download(_ objects: [ObjectInfo], into directory: String) async throws(StoreError) {
        do {
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
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.io, directory, String(describing: error), underlying: error)
        }
    }
}
