import FuzzSupport
import MappedIO
import TensorBundle

// Slice keys (TensorFlow's ordered-code encoding of a variable name and a slice spec): decoding
// any bytes, the slice's ranges in a shape, and the round trip of what decodes.
FuzzWorkspace.run(seeds: {
    let indexes = FuzzWorkspace.files(under: Path.join(FuzzWorkspace.fixtures, "partitioned")) { $0.hasSuffix(".index") }
    return try indexes.flatMap { path in
        try CheckpointBundle(prefix: String(path.dropLast(".index".count))).records.map(\.key).filter { $0.first == 0 }
    }
}) { input in
    guard let (name, slice) = SliceKey.decode(input) else { return }
    _ = slice.ranges(in: TensorShape(slice.extents.map { _ in 1 << 20 }))
    _ = slice.description
    guard let again = SliceKey.decode(SliceKey.encode(name: name, slice: slice)) else {
        fatalError("a decoded slice key does not decode after encoding")
    }
    precondition(again.name == name && again.slice == slice, "slice keys do not round-trip")
}
