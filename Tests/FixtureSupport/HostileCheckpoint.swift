import Foundation
import SSTable
import TensorBundle

/// A copy of a real checkpoint whose `.index` is rewritten with well-formed framing (valid
/// block CRCs, sorted keys) around records that hold extreme or contradictory values, the way a
/// hand-edited or hostile file would.
public struct HostileCheckpoint {
    /// How to change the source checkpoint's records.
    public struct Edit: Sendable, CustomStringConvertible {
        public let description: String
        let header: @Sendable (inout BundleHeader) -> Void
        let entry: @Sendable (_ key: [UInt8], inout BundleEntry) -> Void

        /// Changes the header record.
        public static func header(_ description: String, _ edit: @escaping @Sendable (inout BundleHeader) -> Void) -> Edit {
            Edit(description: description, header: edit, entry: { _, _ in })
        }

        /// Changes the entry of the record whose (display) name is `name`.
        public static func entry(_ description: String, named name: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Edit {
            Edit(description: description, header: { _ in }, entry: { key, entry in if Bundle.displayName(key) == name { edit(&entry) } })
        }

        /// Changes the entry of every slice record (keys that start with byte 0).
        public static func sliceRecords(_ description: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Edit {
            Edit(description: description, header: { _ in }, entry: { key, entry in if key.first == 0 { edit(&entry) } })
        }

        /// Changes the full-tensor record of every partitioned variable.
        public static func partitioned(_ description: String, _ edit: @escaping @Sendable (inout BundleEntry) -> Void) -> Edit {
            Edit(description: description, header: { _ in }, entry: { _, entry in if entry.isPartitioned { edit(&entry) } })
        }
    }

    /// Copies the checkpoint at `source` (its index, data files and any `.meta`) into
    /// `directory` with its index rewritten by `edit`; returns the copy's prefix.
    public static func make(from source: String, in directory: String, edit: Edit) throws -> String {
        let bundle = try Bundle(prefix: source)
        let name = URL(fileURLWithPath: source).lastPathComponent
        let sourceDirectory = URL(fileURLWithPath: source).deletingLastPathComponent().path
        for file in try FileManager.default.contentsOfDirectory(atPath: sourceDirectory)
        where file.hasPrefix(name + ".data-") || file == name + ".meta" {
            try FileManager.default.copyItem(atPath: sourceDirectory + "/" + file, toPath: directory + "/" + file)
        }
        var header = bundle.header!
        edit.header(&header)
        var options = TableBuilder.Options()
        options.requiresSortedKeys = false
        var table = TableBuilder(options: options)
        try table.add(key: [], value: header.encoded())
        for record in bundle.records {
            var entry = try record.entry.get()
            edit.entry(record.key, &entry)
            try table.add(key: record.key, value: entry.encoded())
        }
        let prefix = directory + "/" + name
        TestFiles.write(table.finish(), to: prefix + ".index")
        return prefix
    }
}
