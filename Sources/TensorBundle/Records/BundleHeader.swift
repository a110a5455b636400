/// The header record of a bundle (`BundleHeaderProto`), stored under the empty key.
public struct BundleHeader: Sendable, Hashable {
    /// Byte order of the tensor data (never of protos or the table).
    public enum Endianness: Sendable, Hashable {
        case little
        case big
        case unknown(Int64)
    }

    /// The bundle format version (`VersionDef`).
    public struct Version: Sendable, Hashable {
        public var producer: Int64
        public var minConsumer: Int64
        public var badConsumers: [Int64]

        public init(producer: Int64 = 1, minConsumer: Int64 = 0, badConsumers: [Int64] = []) {
            self.producer = producer
            self.minConsumer = minConsumer
            self.badConsumers = badConsumers
        }

        /// TensorFlow's reader is consumer version 1 and accepts producers from version 0.
        public static let consumer: Int64 = 1
        public static let minimumProducer: Int64 = 0

        /// Why TensorFlow would refuse to read this version, or nil.
        public var refusal: String? {
            if producer < Self.minimumProducer { return "producer version \(producer) is below the minimum \(Self.minimumProducer)" }
            if minConsumer > Self.consumer { return "min consumer version \(minConsumer) is above the reader's version \(Self.consumer)" }
            if badConsumers.contains(Self.consumer) { return "the checkpoint disallows consumer version \(Self.consumer)" }
            return nil
        }
    }

    public var numShards: Int64
    public var endianness: Endianness
    /// Absent in bundles from before TensorFlow wrote versions ("version 0"); still valid.
    public var version: Version?
    /// Oddities in the record (wrong wire types, unknown fields).
    public var issues: [RecordIssue] = []

    public init(numShards: Int64 = 1, endianness: Endianness = .little, version: Version? = Version()) {
        self.numShards = numShards
        self.endianness = endianness
        self.version = version
    }

    /// Decodes a serialized `BundleHeaderProto`.
    public static func decode(_ bytes: [UInt8]) throws(ProtoError) -> BundleHeader {
        var header = BundleHeader(numShards: 0, version: nil)
        var checker = FieldChecker(message: "header")
        var versionBody: ArraySlice<UInt8>? = nil
        try checker.decode(bytes[...]) { checker, field in
            switch field.number {
            case 1: if let value = checker.varint(field, "num_shards") { header.numShards = Int64(int32Field: value) }
            case 2:
                if let value = checker.varint(field, "endianness") {
                    let raw = Int64(int32Field: value)
                    header.endianness = raw == 0 ? .little : raw == 1 ? .big : .unknown(raw)
                }
            case 3: if let body = checker.bytes(field, "version") { versionBody = body }
            default: checker.unknown(field)
            }
        }
        if let versionBody {
            var version = Version(producer: 0)
            var packedFailure: ProtoError? = nil
            try checker.decode(versionBody) { checker, field in
                switch (field.number, field.payload) {
                case (1, _): if let value = checker.varint(field, "version.producer") { version.producer = Int64(int32Field: value) }
                case (2, _): if let value = checker.varint(field, "version.min_consumer") { version.minConsumer = Int64(int32Field: value) }
                case (3, .varint(let value)): version.badConsumers.append(Int64(int32Field: value))
                case (3, .bytes(let packed)):
                    switch Result(catching: { () throws(ProtoError) in try ProtoDecoder.packedVarints(packed) }) {
                    case .success(let values): version.badConsumers += values.map { Int64(int32Field: $0) }
                    case .failure(let failure): packedFailure = failure
                    }
                case (3, _): checker.wrongType(field, "version.bad_consumers")
                default: checker.unknown(field)
                }
            }
            if let packedFailure { throw packedFailure }
            header.version = version
        }
        header.issues = checker.issues
        return header
    }

    /// The canonical serialization (`08 01 1a 02 08 01` for one little-endian shard).
    public func encoded() -> [UInt8] {
        var proto = ProtoEncoder()
        proto.int(1, numShards)
        switch endianness {
        case .little: break
        case .big: proto.int(2, 1)
        case .unknown(let raw): proto.int(2, raw)
        }
        if let version {
            var body = ProtoEncoder()
            body.int(1, version.producer)
            body.int(2, version.minConsumer)
            for bad in version.badConsumers { body.int(3, bad, always: true) }
            proto.bytes(3, body.bytes)
        }
        return proto.bytes
    }
}
