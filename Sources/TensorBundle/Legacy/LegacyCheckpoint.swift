import MappedIO
import SSTable

/// A legacy V1 checkpoint (`tf.compat.v1.train.Saver(write_version=SaverDef.V1)`, TF-Slim's
/// published pretrained checkpoints, old exports): one file per save, or per shard
/// (`NAME-00000-of-00002`), each an SSTable whose record under the empty key holds a
/// `SavedTensorSliceMeta` (every tensor's name, dtype, shape and slices) and whose other
/// records each hold one slice's values inline, in a `TensorProto`.
///
/// A V1 file carries no checksum per tensor: its table's block trailers are its integrity
/// check, and every tensor must decode to exactly the values its shape asks for.
public struct LegacyCheckpoint: Sendable {
    /// One tensor as the meta lists it.
    public struct Tensor: Sendable, Hashable {
        public let name: String
        public let dtype: DataType
        public let shape: TensorShape
        /// The slices it is stored in (one covering all of it, for an unpartitioned tensor).
        public let slices: [TensorSlice]
    }

    /// A problem of the checkpoint as a whole, with the file it is in.
    public struct Problem: Sendable, Hashable {
        public let file: String
        public let message: String
        /// The table finding this is, when the table reader found it (`block.checksum_mismatch`, …).
        public let tableFinding: TableFinding?
    }

    /// The prefix the checkpoint is known by (the file, or the shards' common prefix).
    public let prefix: String
    /// The files, one per shard.
    public let files: [String]
    /// The tensors every file's meta lists, in order, each once.
    public let tensors: [Tensor]
    /// What is wrong with the files' tables and metas.
    public let problems: [Problem]
    /// Each slice's serialized `TensorProto`, by tensor name and slice.
    private let slices: [String: [TensorSlice: ArraySlice<UInt8>]]

    /// The files of the V1 checkpoint at `prefix`: the file itself, or its shards
    /// `PREFIX-SSSSS-of-NNNNN` as the directory lists them; empty when there is none.
    public static func files(prefix: String) -> [String] {
        if case .regular = FileSystem.kind(of: prefix), looksLikeTable(prefix) { return [prefix] }
        let name = Path.fileName(of: prefix)
        let names = (try? FileSystem.contents(ofDirectory: Path.directory(of: prefix))) ?? []
        let shards = names.filter { candidate in
            guard candidate.hasPrefix(name + "-") else { return false }
            let parts = candidate.dropFirst(name.count + 1).split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 3 && parts[1] == "of" && parts[0].count == 5 && parts[2].count == 5
                && parts[0].allSatisfy(\.isASCII) && parts[0].allSatisfy(\.isNumber) && parts[2].allSatisfy(\.isNumber)
        }
        return shards.sorted().map { Path.join(Path.directory(of: prefix), $0) }.filter(looksLikeTable)
    }

    /// Whether the file at `path` ends in the table magic (a V1 file has no other signature).
    static func looksLikeTable(_ path: String) -> Bool {
        guard let file = try? MappedFile(path: path), file.count >= TableFormat.footerLength else { return false }
        return file.withUnsafeBytes {
            UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $0.count - 8, as: UInt64.self)) == TableFormat.magic
        }
    }

    /// Reads the V1 checkpoint at `prefix` (its tables and metas; values are decoded on
    /// request).
    ///
    /// - Throws: ``FileError`` when a file cannot be read, or `prefix` names no V1 checkpoint.
    public init(prefix: String) throws(FileError) {
        let files = Self.files(prefix: prefix)
        guard !files.isEmpty else { throw FileError(code: .notFound, path: prefix, cause: "no V1 checkpoint (no file or shards)") }
        var tensors: [Tensor] = []
        var problems: [Problem] = []
        var slices: [String: [TensorSlice: ArraySlice<UInt8>]] = [:]
        for path in files {
            let table = try MappedFile(path: path).withUnsafeBytes { Table.read($0) }
            problems += table.findings.map { Problem(file: path, message: $0.message, tableFinding: $0) }
            guard let first = table.records.first, first.key.isEmpty else {
                problems.append(
                    Problem(file: path, message: "no SavedTensorSliceMeta record (the empty key): not a V1 checkpoint", tableFinding: nil))
                continue
            }
            do {
                for tensor in try Self.meta(first.value) where !tensors.contains(where: { $0.name == tensor.name }) {
                    tensors.append(tensor)
                }
                for record in table.records.dropFirst() {
                    let (name, slice, value) = try Self.slice(record.value)
                    slices[name, default: [:]][slice] = value
                }
            } catch {
                problems.append(Problem(file: path, message: "a record does not parse: \(error)", tableFinding: nil))
            }
        }
        self.prefix = prefix
        self.files = files
        self.tensors = tensors
        self.problems = problems
        self.slices = slices
    }

    /// The value of `tensor`, assembled from its slices.
    ///
    /// - Throws: ``TensorError`` when a slice is missing, does not fit the shape, or does not
    ///   decode to the values it must hold.
    public func value(of tensor: Tensor) throws(TensorError) -> TensorValue {
        let key = Array(tensor.name.utf8)
        guard let count = tensor.shape.elementCount, count <= Int64(Int32.max) else {
            throw TensorError(.invalidShape, key: key, "shape \(tensor.shape) has no element count a V1 checkpoint can hold")
        }
        let stored = slices[tensor.name] ?? [:]
        var boxes: [(box: [Range<Int64>], contents: TensorValue.Contents)] = []
        for slice in tensor.slices {
            let box: [Range<Int64>]
            switch slice.ranges(in: tensor.shape) {
            case .success(let ranges): box = ranges
            case .failure(let error): throw TensorError(.badSlices, key: key, error.cause)
            }
            guard let bytes = stored[slice] else { throw TensorError(.badSlices, key: key, "the record of slice \(slice) is missing") }
            let elements = box.reduce(1) { $0 * Int($1.count) }
            boxes.append((box, try TensorProtoValue.decode(bytes, dtype: tensor.dtype, count: elements, key: key)))
        }
        let covered = boxes.reduce(0) { $0 + $1.box.reduce(1) { $0 * Int($1.count) } }
        guard covered == Int(count) else { throw TensorError(.badSlices, key: key, "slices cover \(covered) of \(count) elements") }
        return TensorValue(dtype: tensor.dtype, shape: tensor.shape, contents: Self.assemble(boxes, shape: tensor.shape, count: Int(count)))
    }

    /// The full row-major contents of a tensor of `shape` from its slices' boxes.
    private static func assemble(
        _ boxes: [(box: [Range<Int64>], contents: TensorValue.Contents)], shape: TensorShape, count: Int
    ) -> TensorValue.Contents {
        if boxes.count == 1 { return boxes[0].contents }
        var strings = [[UInt8]](repeating: [], count: count)
        var bytes: [UInt8] = []
        for (box, contents) in boxes {
            switch contents {
            case .fixed(let values):
                let elementSize = values.count / max(box.reduce(1) { $0 * Int($1.count) }, 1)
                if bytes.isEmpty { bytes = [UInt8](repeating: 0, count: count * elementSize) }
                values.withUnsafeBytes { source in
                    bytes.withUnsafeMutableBytes {
                        CheckpointBundle.copy(source, box: box, shape: shape, elementSize: elementSize, into: $0)
                    }
                }
            case .strings(let values), .variants(let values):
                for (offset, index) in elementIndices(box, shape: shape).enumerated() { strings[index] = values[offset] }
            }
        }
        if case .fixed? = boxes.first?.contents { return .fixed(bytes) }
        return .strings(strings)
    }

    /// The row-major indices of a box's elements, in the box's own row-major order.
    private static func elementIndices(_ box: [Range<Int64>], shape: TensorShape) -> [Int] {
        var indices = [0]
        for (dimension, range) in zip(shape.dimensions, box) {
            indices = indices.flatMap { base in range.map { base * Int(dimension) + Int($0) } }
        }
        return indices
    }

    /// The tensors a `SavedTensorSlices` message's `meta` lists.
    private static func meta(_ bytes: [UInt8]) throws(ProtoError) -> [Tensor] {
        var checker = FieldChecker(message: "SavedTensorSlices")
        var tensorBodies: [ArraySlice<UInt8>] = []
        var metaBody: ArraySlice<UInt8>? = nil
        try checker.decode(bytes[...]) { checker, field in
            if field.number == 1 { metaBody = checker.bytes(field, "meta") }
        }
        guard let metaBody else { throw ProtoError(offset: 0, cause: "no meta") }
        try checker.decode(metaBody) { checker, field in
            if field.number == 1, let body = checker.bytes(field, "meta.tensor") { tensorBodies.append(body) }
        }
        var tensors: [Tensor] = []
        for body in tensorBodies {
            var name: [UInt8] = []
            var shape = TensorShape([])
            var dtype = DataType.invalid
            var sliceBodies: [ArraySlice<UInt8>] = []
            var shapeBody: ArraySlice<UInt8>? = nil
            try checker.decode(body) { checker, field in
                switch field.number {
                case 1: name = checker.bytes(field, "name").map(Array.init) ?? []
                case 2: shapeBody = checker.bytes(field, "shape")
                case 3: if let value = checker.varint(field, "type") { dtype = DataType(rawValue: Int32(truncatingIfNeeded: value)) }
                case 4: if let slice = checker.bytes(field, "slice") { sliceBodies.append(slice) }
                default: checker.unknown(field)
                }
            }
            if let shapeBody { shape = try TensorShape.decode(shapeBody, checker: &checker) }
            var slices: [TensorSlice] = []
            for slice in sliceBodies { slices.append(try TensorSlice.decode(slice, checker: &checker)) }
            guard let text = String(validating: name, as: UTF8.self) else {
                throw ProtoError(offset: 0, cause: "a tensor name is not UTF-8")
            }
            tensors.append(Tensor(name: text, dtype: dtype, shape: shape, slices: slices))
        }
        return tensors
    }

    /// The tensor name, slice and serialized `TensorProto` of a `SavedTensorSlices` message's `data`.
    private static func slice(_ bytes: [UInt8]) throws(ProtoError) -> (String, TensorSlice, ArraySlice<UInt8>) {
        var checker = FieldChecker(message: "SavedTensorSlices")
        var dataBody: ArraySlice<UInt8>? = nil
        try checker.decode(bytes[...]) { checker, field in
            if field.number == 2 { dataBody = checker.bytes(field, "data") }
        }
        guard let dataBody else { throw ProtoError(offset: 0, cause: "a data record holds no data") }
        var name: [UInt8] = []
        var sliceBody: ArraySlice<UInt8>? = nil
        var value: ArraySlice<UInt8> = []
        try checker.decode(dataBody) { checker, field in
            switch field.number {
            case 1: name = checker.bytes(field, "data.name").map(Array.init) ?? []
            case 2: sliceBody = checker.bytes(field, "data.slice")
            case 3: value = checker.bytes(field, "data.data") ?? []
            default: checker.unknown(field)
            }
        }
        let slice = try sliceBody.map { (body) throws(ProtoError) in try TensorSlice.decode(body, checker: &checker) } ?? TensorSlice([])
        guard let text = String(validating: name, as: UTF8.self) else { throw ProtoError(offset: 0, cause: "a tensor name is not UTF-8") }
        return (text, slice, value)
    }
}

extension LegacyCheckpoint.Tensor {
    /// The tensor as a listing shows it: no shard or offset (its values are inline in the
    /// table), `size` the bytes its values take.
    public func summary(size: Int64) -> VariableSummary {
        VariableSummary(
            key: Array(name.utf8), name: CheckpointBundle.displayName(Array(name.utf8)), dtype: dtype, shape: shape, shard: nil,
            offset: nil, size: size, parameters: shape.elementCount ?? 0, sliceCount: slices.count > 1 ? slices.count : 0)
    }
}

extension LegacyCheckpoint {
    /// Writes the checkpoint as a V2 bundle at `prefix` (one shard), tensor by tensor, so the
    /// tools that map checkpoints (listing, values, diff) read it as any other; keys are the
    /// V1 names.
    ///
    /// - Throws: ``TensorError`` for a tensor that does not decode, ``BundleWriteError`` for
    ///   one the writer refuses, `FileError` when a file cannot be written.
    public func writeBundle(to prefix: String) throws -> CheckpointBundle {
        var writer = try BundleWriter(prefix: prefix)
        for tensor in tensors {
            let value = try value(of: tensor)
            let key = Array(tensor.name.utf8)
            switch value.contents {
            case .fixed(let bytes): try writer.add(key, dtype: value.dtype, shape: value.shape, bytes: bytes)
            case .strings(let strings): try writer.add(key, strings: strings, shape: value.shape)
            case .variants(let variants): try writer.add(key, variants: variants, shape: value.shape)
            }
        }
        try writer.finish()
        return try CheckpointBundle(prefix: prefix)
    }
}
