import FixtureSupport
import TensorBundle
import Testing

@Suite struct SliceKeyTests {
    static let part = Array("part".utf8)

    @Test func encodesTheSpecificationExamples() {
        let first = TensorSlice([.init(start: 0, length: 2), .init(start: 0, length: 3)])
        #expect(
            SliceKey.encode(name: Self.part, slice: first) == [
                0x00, 0x70, 0x61, 0x72, 0x74, 0x00, 0x01, 0x01, 0x02, 0x80, 0x82, 0x80, 0x83,
            ])
        let second = TensorSlice([.init(start: 2, length: 2), .init(start: 0, length: nil)])
        #expect(
            SliceKey.encode(name: Self.part, slice: second) == [
                0x00, 0x70, 0x61, 0x72, 0x74, 0x00, 0x01, 0x01, 0x02, 0x82, 0x82, 0x80, 0x7F,
            ])
    }

    @Test func roundTripsAcrossEveryEncodedLength() {
        let values: [Int64] = [
            0, 1, -1, 63, -64, 64, -65, 100, -100, 8191, 8192, 1 << 20, -(1 << 27), 1 << 34, 1 << 41,
            1 << 48, 1 << 55, (1 << 62) - 1, 1 << 62, .max, .min,
        ]
        for value in values {
            let slice = TensorSlice([.init(start: value, length: value == -1 ? 5 : value)])
            let name: [UInt8] = [0x61, 0x00, 0xFF, 0x62]
            let key = SliceKey.encode(name: name, slice: slice)
            let decoded = SliceKey.decode(key)
            #expect(decoded?.name == name, "value \(value)")
            #expect(decoded?.slice == slice, "value \(value)")
        }
    }

    @Test func decodesEverySliceKeyOfTheFixtures() throws {
        for prefix in ["partitioned/slices", "partitioned/tf1-partitioned", "sharded_tf2/ckpt-1"] {
            let bundle = try CheckpointBundle(prefix: Fixtures.path(prefix))
            for record in bundle.records where record.key.first == 0 {
                let decoded = try #require(SliceKey.decode(record.key))
                let full = try bundle.entry(forKey: decoded.name)
                #expect(full.slices.contains(decoded.slice))
                #expect(SliceKey.encode(name: decoded.name, slice: decoded.slice) == record.key)
            }
        }
    }

    @Test func rejectsMalformedKeys() {
        #expect(SliceKey.decode([]) == nil)
        #expect(SliceKey.decode(Array("plain".utf8)) == nil)
        #expect(SliceKey.decode([0x00, 0x61, 0x00]) == nil)  // unterminated name
        #expect(SliceKey.decode([0x00, 0x61, 0x00, 0x01, 0x01, 0x01, 0x80]) == nil)  // missing length
        #expect(SliceKey.decode([0x00, 0x61, 0x00, 0x01, 0x01, 0x01, 0x80, 0x81, 0x00]) == nil)  // trailing byte
    }
}
