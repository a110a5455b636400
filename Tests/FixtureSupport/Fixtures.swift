import Checksums
import Foundation
import TensorBundle
import Testing

/// The checkpoints under `Fixtures/`, written by real TensorFlow, and what TensorFlow's own
/// reader listed for them (`Fixtures/manifest.json`, written by `Fixtures/generate.py`).
public enum Fixtures {
    /// The repository's `Fixtures/` folder.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()  // FixtureSupport
        url.deleteLastPathComponent()  // Tests
        return url.deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    /// A path inside `Fixtures/`.
    public static func path(_ relative: String) -> String {
        root + "/" + relative
    }

    /// One variable as TensorFlow listed it.
    public struct Variable: Sendable, Hashable {
        public let name: String
        public let dtype: String
        public let shape: [Int64]
        /// XXH3-128 of the value TensorFlow returned (see ``canonicalBytes(_:)``); nil for variants.
        public let digest: String?

        public init(name: String, dtype: String, shape: [Int64], digest: String?) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.digest = digest
        }
    }

    /// One checkpoint as TensorFlow listed it.
    public struct Checkpoint: Sendable, Hashable, CustomTestStringConvertible {
        /// The prefix relative to `Fixtures/`.
        public let prefix: String
        public let variables: [Variable]

        public init(prefix: String, variables: [Variable]) {
            self.prefix = prefix
            self.variables = variables
        }

        public var testDescription: String { prefix }
    }

    /// Every V2 checkpoint of the manifest, by fixture group (`tf1_saver`, `dtypes`, …).
    public static let manifest: [String: [Checkpoint]] = loadManifest(root: root)

    /// The legacy V1 checkpoints of the manifest (groups `GROUP_v1`): one file each, no `.index`.
    public static let legacyCheckpoints: [Checkpoint] = loadManifest(root: root, legacy: true).values.flatMap { $0 }

    /// The manifest `Fixtures/generate.py` wrote into `root`: its V2 groups, or its V1 groups.
    public static func loadManifest(root: String, legacy: Bool = false) -> [String: [Checkpoint]] {
        let data = try! Data(contentsOf: URL(fileURLWithPath: root + "/manifest.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        var groups: [String: [Checkpoint]] = [:]
        for (group, value) in json where group.hasSuffix("_v1") == legacy {
            guard let checkpoints = value as? [[String: Any]] else { continue }
            groups[group] = checkpoints.map(checkpoint)
        }
        return groups
    }

    /// One checkpoint of a manifest or of `generate.py --describe`.
    public static func checkpoint(_ json: [String: Any]) -> Checkpoint {
        let variables = (json["variables"] as! [[String: Any]]).map { variable in
            Variable(
                name: variable["name"] as! String, dtype: variable["dtype"] as! String,
                shape: (variable["shape"] as! [NSNumber]).map(\.int64Value), digest: variable["xxh3_128"] as? String)
        }
        return Checkpoint(prefix: json["prefix"] as! String, variables: variables)
    }

    /// Every checkpoint of the manifest, flattened.
    public static var allCheckpoints: [Checkpoint] {
        manifest.keys.sorted().flatMap { manifest[$0]! }
    }

    /// The bytes the manifest's digest covers: raw elements, or for strings each element as a
    /// u64le length followed by its bytes.
    public static func canonicalBytes(_ value: TensorValue) -> [UInt8] {
        switch value.contents {
        case .fixed(let bytes):
            return bytes
        case .strings(let strings), .variants(let strings):
            var out: [UInt8] = []
            for string in strings {
                withUnsafeBytes(of: UInt64(string.count).littleEndian) { out += $0 }
                out += string
            }
            return out
        }
    }

    /// The XXH3-128 digest of ``canonicalBytes(_:)``, as the manifest prints it.
    public static func digest(_ value: TensorValue) -> String {
        canonicalBytes(value).withUnsafeBytes { XXH3.hash128($0).description }
    }
}

/// A fresh directory under the system's temporary folder, removed with everything in it
/// when the instance goes away.
public final class TemporaryDirectory {
    public let path: String

    public init() {
        var template = Array((NSTemporaryDirectory() + "ckpt-tests-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside the directory.
    public func path(_ name: String) -> String {
        path + "/" + name
    }

    /// Copies a fixture group's folder into this directory and returns the copy's path.
    public func copy(fixture group: String) -> String {
        let destination = path(group)
        try! FileManager.default.copyItem(atPath: Fixtures.path(group), toPath: destination)
        return destination
    }
}

/// Small file helpers for tests.
public enum TestFiles {
    public static func read(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path)!)
    }

    public static func write(_ bytes: [UInt8], to path: String) {
        precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
    }

    /// The bytes of every file of the checkpoint at `prefix` (its index and the data files its
    /// header names), by file name.
    public static func checkpoint(_ prefix: String) throws -> [String: [UInt8]] {
        let bundle = try CheckpointBundle(prefix: prefix)
        let count = bundle.header!.numShards
        let name = URL(fileURLWithPath: prefix).lastPathComponent
        var files = [name + ".index": read(prefix + ".index")]
        for shard in 0..<count {
            let path = BundleFiles.data(prefix: prefix, shard: shard, of: count)
            files[URL(fileURLWithPath: path).lastPathComponent] = read(path)
        }
        return files
    }

    /// The bytes of every file in `directory`, by name.
    public static func contents(ofDirectory directory: String) throws -> [String: [UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return Dictionary(uniqueKeysWithValues: names.map { ($0, read(directory + "/" + $0)) })
    }
}
