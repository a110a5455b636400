import Glibc
import MappedIO

/// What every fuzz target shares: a private scratch directory on tmpfs where inputs become
/// files (the tools read files), the fixtures folder, and the corpus directory libFuzzer was
/// given, seeded from real checkpoints when it is empty.
public enum FuzzWorkspace {
    /// The repository's `Fixtures/` folder, found from this source file's place.
    public static let fixtures: String = {
        var path = #filePath
        for _ in 0..<4 { path = Path.directory(of: path) }
        return Path.join(path, "Fixtures")
    }()

    /// A directory of this process's own, created on first use (tmpfs when there is one).
    public static let scratch: String = {
        let parent = FileSystem.kind(of: "/dev/shm") == .directory ? "/dev/shm" : "/tmp"
        let path = Path.join(parent, "ckpt-fuzz-\(getpid())")
        try! FileSystem.createDirectory(path)
        return path
    }()

    /// Runs libFuzzer with this process's arguments: seeds an empty corpus directory (the
    /// first directory argument) with `seeds`, then calls `test` with every input.
    public static func run(seeds: () throws -> [[UInt8]], test: @escaping @Sendable ([UInt8]) -> Void) -> Never {
        let arguments = CommandLine.arguments.dropFirst()
        if let corpus = arguments.first(where: { !$0.hasPrefix("-") && FileSystem.kind(of: $0) == .directory }),
            (try? FileSystem.contents(ofDirectory: corpus))?.isEmpty == true
        {
            for (index, bytes) in try! seeds().enumerated() { write(bytes, to: Path.join(corpus, "seed-\(index)")) }
        }
        Target.test = test
        var count = CommandLine.argc
        var vector = CommandLine.unsafeArgv
        exit(
            runDriver(&count, &vector) { data, size in
                Target.test(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
                return 0
            })
    }

    /// Replaces the file at `path` with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        defer { close(fd) }
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                precondition(written > 0, "cannot write \(path)")
                done += written
            }
        }
    }

    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        try MappedFile(path: path).withUnsafeBytes { Array($0) }
    }

    /// Every file under `directory` (recursively) whose name satisfies `matches`.
    public static func files(under directory: String, where matches: (String) -> Bool) -> [String] {
        guard let names = try? FileSystem.contents(ofDirectory: directory) else { return [] }
        return names.flatMap { name -> [String] in
            let path = Path.join(directory, name)
            if FileSystem.kind(of: path) == .directory { return files(under: path, where: matches) }
            return matches(name) ? [path] : []
        }
    }

}

/// The test the driver calls, set once before it starts.
private enum Target {
    nonisolated(unsafe) static var test: @Sendable ([UInt8]) -> Void = { _ in }
}

/// libFuzzer's entry for programs with their own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ count: UnsafeMutablePointer<Int32>, _ arguments: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
