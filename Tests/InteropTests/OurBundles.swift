import FixtureSupport
import TensorBundle

/// Bundles written by our writer for TensorFlow to read: every dtype, strings, scalars, empty
/// tensors, non-ASCII names, variants, slices, and several shards.
enum OurBundles {
    /// Writes the bundles and returns, for each, the view TensorFlow should have of it.
    static func write(in directory: TemporaryDirectory) throws -> [Fixtures.Checkpoint] {
        [try dtypes(directory.path("dtypes")), try sliced(directory.path("sliced")), try sharded(directory.path("sharded"))]
    }

    private static func dtypes(_ prefix: String) throws -> Fixtures.Checkpoint {
        var writer = try BundleWriter(prefix: prefix)
        var expected: [Fixtures.Variable] = []
        for dtype in DataType.known {
            guard let size = dtype.elementSize else { continue }
            // Small non-negative values are valid in every dtype, packed ones included.
            let shape = TensorShape([2, 3])
            let bytes = (0..<6 * size).map { index in index % size == 0 ? UInt8(index / size % 2) : 0 }
            try writer.add(dtype.name, dtype: dtype, shape: shape, bytes: bytes)
            expected.append(variable(dtype.name, dtype, shape, .fixed(bytes)))
        }
        let strings: [[UInt8]] = [Array("hello".utf8), [], [0x00, 0xFF, 0x80], Array("wörld".utf8)]
        try writer.add(Array("strings".utf8), strings: strings, shape: TensorShape([2, 2]))
        expected.append(variable("strings", .string, TensorShape([2, 2]), .strings(strings)))
        try writer.add(Array("scalar_string".utf8), strings: [Array("only".utf8)], shape: TensorShape([]))
        expected.append(variable("scalar_string", .string, TensorShape([]), .strings([Array("only".utf8)])))
        try writer.add(Array("empty_strings".utf8), strings: [], shape: TensorShape([0, 3]))
        expected.append(variable("empty_strings", .string, TensorShape([0, 3]), .strings([])))
        try writer.add("empty", dtype: .float32, shape: TensorShape([4, 0]), bytes: [])
        expected.append(variable("empty", .float32, TensorShape([4, 0]), .fixed([])))
        try writer.add("scalar", dtype: .float64, shape: TensorShape([]), bytes: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        expected.append(variable("scalar", .float64, TensorShape([]), .fixed([0, 0, 0, 0, 0, 0, 0xF0, 0x3F])))
        try writer.add("ünïcödé/名前", dtype: .int32, shape: TensorShape([1]), bytes: [7, 0, 0, 0])
        expected.append(variable("ünïcödé/名前", .int32, TensorShape([1]), .fixed([7, 0, 0, 0])))
        // A TensorList variant as TensorFlow wrote it.
        let zoo = try CheckpointBundle(prefix: Fixtures.path("dtypes/zoo"))
        if case .variants(let payloads) = try zoo.value(forKey: Array("variant".utf8)).contents {
            try writer.add(Array("variant".utf8), variants: payloads, shape: TensorShape([]))
            expected.append(Fixtures.Variable(name: "variant", dtype: "variant", shape: [], digest: nil))
        }
        try writer.finish()
        return Fixtures.Checkpoint(prefix: prefix, variables: expected.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) })
    }

    private static func sliced(_ prefix: String) throws -> Fixtures.Checkpoint {
        var writer = try BundleWriter(prefix: prefix)
        let full = TensorShape([6, 4])
        let values = (0..<24).map { Float($0) * 0.5 }
        let bytes = values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
        // Rows 0-1, then rows 2-5 split into two column blocks.
        let slices: [(TensorSlice, rows: Range<Int>, columns: Range<Int>)] = [
            (TensorSlice([.init(start: 0, length: 2), .init(start: 0, length: nil)]), 0..<2, 0..<4),
            (TensorSlice([.init(start: 2, length: 4), .init(start: 0, length: 1)]), 2..<6, 0..<1),
            (TensorSlice([.init(start: 2, length: 4), .init(start: 1, length: 3)]), 2..<6, 1..<4),
        ]
        for (slice, rows, columns) in slices {
            let part = rows.flatMap { row in columns.flatMap { column in bytes[(row * 4 + column) * 4..<(row * 4 + column + 1) * 4] } }
            try writer.addSlice(Array("part".utf8), dtype: .float32, fullShape: full, slice: slice, bytes: part)
        }
        try writer.finish()
        return Fixtures.Checkpoint(prefix: prefix, variables: [variable("part", .float32, full, .fixed(bytes))])
    }

    private static func sharded(_ prefix: String) throws -> Fixtures.Checkpoint {
        var writer = try BundleWriter(prefix: prefix, shardCount: 3)
        var expected: [Fixtures.Variable] = []
        for index in 0..<6 {
            let bytes = (0..<40).map { UInt8(($0 + index) % 256) }
            try writer.add("layer\(index)/w", dtype: .float32, shape: TensorShape([10]), bytes: bytes, shard: Int64(index % 3))
            expected.append(variable("layer\(index)/w", .float32, TensorShape([10]), .fixed(bytes)))
        }
        try writer.finish()
        return Fixtures.Checkpoint(prefix: prefix, variables: expected)
    }

    private static func variable(
        _ name: String, _ dtype: DataType, _ shape: TensorShape, _ contents: TensorValue.Contents
    ) -> Fixtures.Variable {
        Fixtures.Variable(
            name: name, dtype: dtype.name, shape: shape.dimensions,
            digest: Fixtures.digest(TensorValue(dtype: dtype, shape: shape, contents: contents)))
    }
}
