import FixtureSupport
import SSTable
import Testing

@Suite struct TableBuilderTests {
    @Test func buildsTheWorkedExampleByteForByte() throws {
        var builder = TableBuilder()
        try builder.add(key: [], value: WorkedExample.header)
        try builder.add(key: Array("f".utf8), value: WorkedExample.floatEntry)
        try builder.add(key: Array("s".utf8), value: WorkedExample.stringEntry)
        #expect(builder.finish() == WorkedExample.index)
    }

    @Test func refusesUnsortedKeysUnlessAllowed() throws {
        var strict = TableBuilder()
        try strict.add(key: [2], value: [])
        #expect(throws: TableBuilder.OrderError.self) { try strict.add(key: [1], value: []) }
        #expect(throws: TableBuilder.OrderError.self) { try strict.add(key: [2], value: []) }
        var options = TableBuilder.Options()
        options.requiresSortedKeys = false
        var loose = TableBuilder(options: options)
        try loose.add(key: [2], value: [])
        try loose.add(key: [1], value: [])
        let table = loose.finish().withUnsafeBytes { Table.read($0) }
        #expect(table.findings.map(\.code) == [.unsortedKeys])
    }

    @Test func separatorsAndSuccessors() {
        #expect(TableBuilder.shortestSeparator(Array("abc".utf8), Array("abz".utf8)) == Array("abd".utf8))
        #expect(TableBuilder.shortestSeparator(Array("abc".utf8), Array("abd".utf8)) == Array("abc".utf8))
        #expect(TableBuilder.shortestSeparator(Array("ab".utf8), Array("abc".utf8)) == Array("ab".utf8))
        #expect(TableBuilder.shortestSeparator([0xFF, 1], [0xFF, 9]) == [0xFF, 2])
        #expect(TableBuilder.shortSuccessor(Array("s".utf8)) == Array("t".utf8))
        #expect(TableBuilder.shortSuccessor([0xFF, 0xFF, 0x10, 0x20]) == [0xFF, 0xFF, 0x11])
        #expect(TableBuilder.shortSuccessor([0xFF, 0xFF]) == [0xFF, 0xFF])
        #expect(TableBuilder.shortSuccessor([]) == [])
    }

    /// Many records across several blocks, and an oversized record in a block of its own.
    @Test func multiBlockTablesReadBack() throws {
        var options = TableBuilder.Options()
        options.blockSize = 4096
        var builder = TableBuilder(options: options)
        var expected: [(key: [UInt8], value: [UInt8])] = []
        for index in 0..<2000 {
            let key = Array("tensor/\(String(repeating: "0", count: 6 - String(index).count))\(index)".utf8)
            let value = [UInt8](repeating: UInt8(index % 251), count: index == 1000 ? 9000 : index % 40)
            expected.append((key, value))
            try builder.add(key: key, value: value)
        }
        let bytes = builder.finish()
        let table = bytes.withUnsafeBytes { Table.read($0) }
        #expect(table.findings.isEmpty)
        #expect(table.records.map(\.key) == expected.map(\.key))
        #expect(table.records.map(\.value) == expected.map(\.value))
        let dataBlocks = table.blocks.filter { if case .data = $0.role { true } else { false } }
        #expect(dataBlocks.count > 10)
        // The 9000-byte record (≥ 2 × block size) starts a block of its own.
        let big = table.records.first { $0.value.count == 9000 }!
        #expect(dataBlocks.contains { $0.handle.offset == big.offset })
    }
}
