import Foundation
import Testing

/// What `Fixtures/generate.py` computed with numpy for pairs of fixtures (`diffs.json`), or
/// for a fresh pair (`generate.py --diff A B`).
public struct ExpectedDiff: Sendable, CustomTestStringConvertible {
    public struct Variable: Sendable {
        public let name: String
        /// nil where TensorFlow's Python reader cannot return the value (variants).
        public let status: String?
        /// Statistic name → value (NSNull → nil), for the statistics numpy computed.
        public let statistics: [String: Double?]
    }

    public let a: String
    public let b: String
    public let variables: [Variable]
    /// numpy's ‖B − A‖ / ‖A‖ over the model's floating-point weights (those the object graph
    /// reaches from `model`), for TF2 checkpoints; nil otherwise.
    public let weightsRelativeChange: Double?
    /// The same over the optimizer state's floating-point variables.
    public let optimizerRelativeChange: Double?

    public var testDescription: String { "\(a) → \(b)" }

    public init(json: [String: Any]) {
        a = json["a"] as! String
        b = json["b"] as! String
        weightsRelativeChange = (json["weights_rel_l2"] as? NSNumber)?.doubleValue
        optimizerRelativeChange = (json["optimizer_rel_l2"] as? NSNumber)?.doubleValue
        variables = (json["variables"] as! [[String: Any]]).map { variable in
            var statistics: [String: Double?] = [:]
            for (key, value) in variable where key != "name" && key != "status" {
                statistics.updateValue((value as? NSNumber)?.doubleValue, forKey: key)
            }
            return Variable(name: variable["name"] as! String, status: variable["status"] as? String, statistics: statistics)
        }
    }

    /// Every pair of `Fixtures/diffs.json`.
    public static let fixtures: [ExpectedDiff] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: Fixtures.path("diffs.json")))
        return (try! JSONSerialization.jsonObject(with: data) as! [[String: Any]]).map(ExpectedDiff.init(json:))
    }()

    /// Whether two statistics agree: both undefined, or equal to about 12 significant digits
    /// (the sums run in a different order).
    public static func agree(_ ours: Double?, _ theirs: Double?) -> Bool {
        switch (ours, theirs) {
        case (nil, nil): return true
        case (let x?, let y?): return x == y || abs(x - y) <= 1e-12 * max(abs(x), abs(y)) || abs(x - y) < 1e-300
        default: return false
        }
    }
}
