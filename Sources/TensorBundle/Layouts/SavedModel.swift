import MappedIO

/// A SavedModel directory, as `tf.saved_model.save` and Keras's `model.export` write it:
/// `saved_model.pb` (the graph and its signatures), `variables/variables.index` with its data
/// files (a V2 bundle), `fingerprint.pb` (TensorFlow 2.12+) and `assets/`.
public struct SavedModel: Sendable, Hashable {
    public static let graphFileName = "saved_model.pb"
    /// The graph in text format, which TensorFlow reads too.
    public static let textGraphFileName = "saved_model.pbtxt"
    public static let fingerprintFileName = "fingerprint.pb"

    /// The directory.
    public let path: String

    /// The SavedModel at `path`, if the directory is one: it holds `saved_model.pb` (or
    /// `saved_model.pbtxt`) or a `variables/variables.index`.
    public init?(directory path: String) {
        guard FileSystem.kind(of: path) == .directory else { return nil }
        self.path = path
        guard FileSystem.exists(graph) || FileSystem.exists(textGraph) || FileSystem.exists(BundleFiles.index(prefix: variablesPrefix))
        else { return nil }
    }

    public var graph: String { Path.join(path, Self.graphFileName) }
    public var textGraph: String { Path.join(path, Self.textGraphFileName) }
    public var fingerprint: String { Path.join(path, Self.fingerprintFileName) }
    /// The prefix of the variables bundle: `PATH/variables/variables`.
    public var variablesPrefix: String { Path.join(Path.join(path, "variables"), "variables") }
    /// Whether the SavedModel holds variables (a model without any has no `variables/` bundle).
    public var hasVariables: Bool { FileSystem.exists(BundleFiles.index(prefix: variablesPrefix)) }

    /// Why `bytes` are not a well-framed `SavedModel` message, or nil: every field of the
    /// message and of each `MetaGraphDef` it holds parses, and it holds at least one.
    public static func framingProblem(ofGraph bytes: [UInt8]) -> String? {
        var decoder = ProtoDecoder(bytes[...])
        var metaGraphs = 0
        do {
            while let field = try decoder.next() {
                guard field.number == 2 else { continue }
                guard case .bytes(let metaGraph) = field.payload else { return "meta_graphs is not a message (at byte \(field.offset))" }
                var nested = ProtoDecoder(metaGraph)
                while try nested.next() != nil {}
                metaGraphs += 1
            }
        } catch {
            return "it does not parse as a SavedModel message (\(error))"
        }
        return metaGraphs == 0 ? "it holds no meta graph" : nil
    }

    /// The `checkpoint_hash` a `FingerprintDef` records (field 5, a uint64), or nil when it
    /// records none.
    public static func checkpointHash(inFingerprint bytes: [UInt8]) throws(ProtoError) -> UInt64? {
        var decoder = ProtoDecoder(bytes[...])
        var hash: UInt64? = nil
        while let field = try decoder.next() {
            if field.number == 5, case .varint(let value) = field.payload { hash = value }
        }
        return hash
    }
}

/// A TF Serving model base path (`models/resnet`): numbered version directories, each a
/// SavedModel; TF Serving serves the highest version.
public struct ServingModel: Sendable, Hashable {
    public let path: String
    /// The versions, in ascending order.
    public let versions: [Version]

    public struct Version: Sendable, Hashable {
        public let number: Int64
        public let model: SavedModel
    }

    /// The model base path at `path`, if the directory is one: it holds no checkpoint of its
    /// own, and at least one subdirectory named by a number that is a SavedModel.
    public init?(directory path: String, names: [String]) {
        guard !names.contains(where: { $0.hasSuffix(".index") }) else { return nil }
        let versions = names.compactMap { name -> Version? in
            guard !name.isEmpty, name.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int64(name),
                let model = SavedModel(directory: Path.join(path, name))
            else { return nil }
            return Version(number: number, model: model)
        }
        guard !versions.isEmpty else { return nil }
        self.path = path
        self.versions = versions.sorted { $0.number < $1.number }
    }
}
