import MappedIO

/// The names of a bundle's files.
public enum BundleFiles {
    /// The paths of the files in `prefix`'s directory that belong to that checkpoint: its
    /// index, its data files and any other `NAME.*` beside them (a TF1 `.meta`), as listed now.
    public static func existing(prefix: String) -> [String] {
        let directory = Path.directory(of: prefix)
        let name = Path.fileName(of: prefix)
        let names = (try? FileSystem.contents(ofDirectory: directory)) ?? []
        return names.filter { $0.hasPrefix(name + ".") }.map { Path.join(directory, $0) }
    }

    /// The bytes of the data files beside `prefix` (`PREFIX.data-…`, those that are regular files).
    public static func dataBytes(prefix: String) -> Int64 {
        existing(prefix: prefix).reduce(0) { total, path in
            guard parseData(fileName: Path.fileName(of: path)) != nil, case .regular(let size) = FileSystem.kind(of: path) else {
                return total
            }
            return total + Int64(size)
        }
    }

    /// `PREFIX.index`.
    public static func index(prefix: String) -> String {
        prefix + ".index"
    }

    /// `PREFIX.data-SSSSS-of-NNNNN`, both numbers zero-padded to at least five digits.
    public static func data(prefix: String, shard: Int64, of count: Int64) -> String {
        "\(prefix).data-\(padded(shard))-of-\(padded(count))"
    }

    /// The shard id and count in a data file name `…data-SSSSS-of-NNNNN`, if it is one.
    public static func parseData(fileName: String) -> (prefix: String, shard: Int64, count: Int64)? {
        guard let marker = lastRange(of: ".data-", in: fileName) else { return nil }
        let numbers = fileName[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard numbers.count == 3, numbers[1] == "of", numbers[0].count >= 5, numbers[2].count >= 5,
            numbers[0].allSatisfy(\.isWholeNumber), numbers[2].allSatisfy(\.isWholeNumber),
            let shard = Int64(numbers[0]), let count = Int64(numbers[2])
        else { return nil }
        return (String(fileName[..<marker.lowerBound]), shard, count)
    }

    private static func padded(_ value: Int64) -> String {
        let digits = String(value)
        return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
    }

    private static func lastRange(of needle: String, in text: String) -> Range<String.Index>? {
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            if text[index...].hasPrefix(needle) { return index..<text.index(index, offsetBy: needle.count) }
        }
        return nil
    }

    /// The training step a checkpoint's name ends in: the number after its last `-`
    /// (`ckpt-1200`, `model.ckpt-1200`), if that is all ASCII digits and fits.
    public static func step(of name: String) -> Int64? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int64(digits)
    }
}
