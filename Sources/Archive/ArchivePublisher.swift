/// Where an archive is kept when that is not the directory the archiver works in (an object
/// store without rename): every new file, and every version of the manifest, is published
/// there as soon as it is complete in the working directory, in the order that keeps the
/// archive's promise: a file is published before any manifest lists it.
public protocol ArchivePublisher: Sendable {
    /// Makes the complete file `name` of the working directory `directory` durable at the
    /// destination, creating it there and never replacing anything. Files the destination
    /// already holds (they came from it) are left alone.
    func publish(file name: String, in directory: String) throws

    /// Replaces the destination's manifest with the working directory's, provided the
    /// destination still holds the version this run last read or wrote (another archiver on
    /// the same archive makes this fail, never lose an entry).
    func publishManifest(in directory: String) throws

    /// Removes the destination's copy of `name`, a file this tool provably wrote (the second
    /// encoding of a listed step, left by a run killed while choosing between them).
    func remove(file name: String) throws
}
