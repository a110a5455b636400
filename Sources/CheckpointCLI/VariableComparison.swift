import TensorBundle

/// How one variable differs between two checkpoints.
struct VariableComparison {
    enum Status: String {
        case identical, changed, added, removed
        case dtypeChanged = "dtype_changed"
        case shapeChanged = "shape_changed"
    }

    let name: String
    let status: Status
    /// The variable in B, or in A when it was removed.
    let summary: VariableSummary

    var json: JSONValue {
        .object([
            ("name", .string(name)),
            ("status", .string(status.rawValue)),
            ("dtype", .string(summary.dtype.name)),
            ("shape", .array(summary.shape.dimensions.map(JSONValue.int))),
        ])
    }

    /// Compares every variable of `a` and `b`, in name order. Identical tensors are found
    /// without decoding: equal size and stored CRC, then a byte comparison of the mapped data.
    static func compare(_ a: Bundle, _ b: Bundle) throws(ToolError) -> [VariableComparison] {
        let left = Dictionary(a.summaries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let right = Dictionary(b.summaries.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = Set(left.keys).union(right.keys).sorted { $0.lexicographicallyPrecedes($1) }
        var result: [VariableComparison] = []
        for key in keys {
            switch (left[key], right[key]) {
            case (let x?, nil): result.append(VariableComparison(name: x.name, status: .removed, summary: x))
            case (nil, let y?): result.append(VariableComparison(name: y.name, status: .added, summary: y))
            case (let x?, let y?):
                let status: Status
                if x.dtype != y.dtype {
                    status = .dtypeChanged
                } else if x.shape != y.shape {
                    status = .shapeChanged
                } else {
                    status = try sameContents(key, a, b) ? .identical : .changed
                }
                result.append(VariableComparison(name: y.name, status: status, summary: y))
            case (nil, nil): break
            }
        }
        return result
    }

    private static func sameContents(_ key: [UInt8], _ a: Bundle, _ b: Bundle) throws(ToolError) -> Bool {
        do {
            let x = try a.entry(forKey: key)
            let y = try b.entry(forKey: key)
            if !x.isPartitioned && !y.isPartitioned {
                guard x.size == y.size && x.crc32c == y.crc32c else { return false }
                return try a.withStoredBytes(of: x, key: key) { (left) throws(TensorError) in
                    try b.withStoredBytes(of: y, key: key) { right in left.elementsEqual(right) }
                }
            }
            return try a.value(forKey: key) == b.value(forKey: key)
        } catch {
            throw ToolError("\(error)")
        }
    }
}
