import BinaryCoding

/// Decodes the entries of one block (data, metaindex and index blocks share the format),
/// checking every bound and recording each problem rather than stopping at the first.
enum BlockDecoder {
    /// Decodes `contents`. `locate` turns a position in `contents` into a file offset for
    /// findings; `name` says which block this is ("data block 2", "index block").
    static func decode(
        _ contents: UnsafeRawBufferPointer, name: String, locate: (Int) -> Int,
        findings: inout [TableFinding]
    ) -> [TableRecord] {
        let size = contents.count
        guard size >= 4 else {
            findings.append(TableFinding(.badBlockContents, at: locate(0), "\(name) is \(size) bytes, too short for a restart count"))
            return []
        }
        let restartCount = Int(contents.loadUInt32LE(at: size - 4))
        guard restartCount <= (size - 4) / 4 else {
            findings.append(
                TableFinding(
                    .badBlockContents, at: locate(size - 4),
                    "\(name) claims \(restartCount) restart points but has room for \((size - 4) / 4)"))
            return []
        }
        let restartsStart = size - 4 - 4 * restartCount
        if restartCount == 0 {
            findings.append(TableFinding(.badRestart, at: locate(size - 4), "\(name) has no restart points"))
        }
        var records: [TableRecord] = []
        var entryStarts: [Int: Int] = [:]  // position → shared length
        var previousKey: [UInt8] = []
        var position = 0
        while position < restartsStart {
            let start = position
            let shared: Int, unshared: Int, valueLength: Int
            do {
                (shared, position) = try Varint.decode32(contents, at: position)
                (unshared, position) = try Varint.decode32(contents, at: position)
                (valueLength, position) = try Varint.decode32(contents, at: position)
            } catch {
                findings.append(
                    TableFinding(
                        .badEntry, at: locate(start), "\(name): entry header is \(error == .truncated ? "truncated" : "an overlong varint")"
                    ))
                return records
            }
            guard position <= restartsStart, unshared <= restartsStart - position,
                valueLength <= restartsStart - position - unshared
            else {
                findings.append(
                    TableFinding(
                        .badEntry, at: locate(start),
                        "\(name): entry with a \(unshared)-byte key suffix and a \(valueLength)-byte value runs into the restart array"))
                return records
            }
            guard shared <= previousKey.count else {
                findings.append(
                    TableFinding(
                        .badEntry, at: locate(start),
                        "\(name): entry shares \(shared) bytes with a previous key of \(previousKey.count) bytes"))
                return records
            }
            var key = Array(previousKey[0..<shared])
            key.append(contentsOf: UnsafeRawBufferPointer(rebasing: contents[position..<position + unshared]))
            position += unshared
            let value = Array(UnsafeRawBufferPointer(rebasing: contents[position..<position + valueLength]))
            position += valueLength
            entryStarts[start] = shared
            records.append(TableRecord(key: key, value: value, offset: locate(start)))
            previousKey = key
        }
        checkRestarts(
            contents, count: restartCount, start: restartsStart, entryStarts: entryStarts, name: name, locate: locate, findings: &findings)
        return records
    }

    private static func checkRestarts(
        _ contents: UnsafeRawBufferPointer, count: Int, start: Int, entryStarts: [Int: Int], name: String,
        locate: (Int) -> Int, findings: inout [TableFinding]
    ) {
        var previous = -1
        for index in 0..<count {
            let slot = start + 4 * index
            let restart = Int(contents.loadUInt32LE(at: slot))
            if restart <= previous {
                findings.append(
                    TableFinding(
                        .badRestart, at: locate(slot),
                        "\(name): restart \(index) (\(restart)) is not after restart \(index - 1) (\(previous))"))
            } else if entryStarts.isEmpty && restart == 0 {
                // An empty block has the single restart 0.
            } else if let shared = entryStarts[restart] {
                if shared != 0 {
                    findings.append(
                        TableFinding(
                            .badRestart, at: locate(slot), "\(name): restart \(index) points at an entry that shares \(shared) key bytes"))
                }
            } else {
                findings.append(
                    TableFinding(.badRestart, at: locate(slot), "\(name): restart \(index) (\(restart)) is not the start of an entry"))
            }
            previous = max(previous, restart)
        }
        if count > 0 && !entryStarts.isEmpty && contents.loadUInt32LE(at: start) != 0 {
            findings.append(TableFinding(.badRestart, at: locate(start), "\(name): the first restart is not 0"))
        }
    }
}
