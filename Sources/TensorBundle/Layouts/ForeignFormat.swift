import MappedIO

/// Files that TensorFlow users have and that are not TensorFlow checkpoints, told apart by
/// their first bytes (and, inside a zip, by the names it holds), so a tool can say what a file
/// is instead of failing on its bytes.
public enum ForeignFormat: Sendable, Hashable, CustomStringConvertible {
    /// Keras weights in HDF5 (`model.save_weights("x.weights.h5")`).
    case kerasWeights
    /// Another HDF5 file (Keras's legacy whole-model `.h5`).
    case hdf5
    /// A Keras 3 model archive (`model.save("x.keras")`: a zip of its config and weights).
    case kerasArchive
    /// A PyTorch file (`torch.save`: a zip holding `data.pkl`, or an older pickle).
    case pytorch
    /// A safetensors file.
    case safetensors
    /// A SavedModel's graph without the SavedModel around it.
    case savedModelGraph
    /// Another zip archive.
    case zip

    public var description: String {
        switch self {
        case .kerasWeights: "Keras weights in HDF5 (model.save_weights)"
        case .hdf5: "an HDF5 file (Keras's legacy .h5 model format)"
        case .kerasArchive: "a Keras model archive (.keras: a zip of its config and weights)"
        case .pytorch: "a PyTorch file (torch.save)"
        case .safetensors: "a safetensors file"
        case .savedModelGraph: "a SavedModel graph (saved_model.pb) without its variables/ directory"
        case .zip: "a zip archive"
        }
    }

    /// What `directory` holds, for a line that says it holds no checkpoint: "it is empty", or
    /// its first names, each with what it is when that is known (`mlp.keras: a Keras model
    /// archive`).
    public static func contents(of directory: CheckpointDirectory) -> String {
        let names = directory.fileNames
        guard !names.isEmpty else { return "it is empty" }
        let described = names.prefix(6).map { name in
            let format = directory.isLocal ? identify(Path.join(directory.path, name)) : nil
            return format.map { "\(name): \($0)" } ?? name
        }
        return "it holds \(described.joined(separator: "; "))\(names.count > 6 ? "; …" : "")"
    }

    /// What these tools read instead, for a line that names a foreign file.
    public static let whatIsRead =
        "these tools read TensorFlow checkpoints (PREFIX.index and its data files), SavedModel directories and V1 checkpoints"

    /// What the regular file at `path` is, if it is one of these. Reads at most 64 KiB from
    /// each end of the file.
    public static func identify(_ path: String) -> ForeignFormat? {
        let name = Path.fileName(of: path)
        if name == SavedModel.graphFileName { return .savedModelGraph }
        guard case .regular(let size) = FileSystem.kind(of: path), size >= 8,
            let file = try? MappedFile(path: path)
        else { return nil }
        return file.withUnsafeBytes { bytes in
            let head = bytes.prefix(64 << 10)
            if head.starts(with: hdf5Signature) { return name.hasSuffix(".weights.h5") ? .kerasWeights : .hdf5 }
            if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                // A zip's names are in its local headers and, at the end, its central directory.
                let ends = Array(head) + Array(bytes.suffix(64 << 10))
                if contains(ends, "data.pkl") { return .pytorch }
                if contains(ends, "config.json") && contains(ends, ".weights.h5") { return .kerasArchive }
                return .zip
            }
            if head.starts(with: pickledTorchMagic) { return .pytorch }
            let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
            if length >= 2, length <= UInt64(size - 8), bytes[8] == UInt8(ascii: "{"), contains(Array(head), "\"data_offsets\"") {
                return .safetensors
            }
            return nil
        }
    }

    private static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    /// A pickle (protocol 2) of the magic number `torch.save` wrote before zips.
    private static let pickledTorchMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0] == needle[0] && bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
