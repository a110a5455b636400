/// The settings that bound every store's transfers, taken from the same variables for S3 and
/// Google Cloud Storage.
protocol TransferSettings {
    /// Connections kept open to the store (requests in flight).
    var connections: Int { get set }
    /// Attempts per request before a retryable failure is reported.
    var maxAttempts: Int { get set }
    /// Bytes per ranged GET.
    var rangeSize: Int { get set }
    /// Bytes per part of a multipart upload (S3) or per chunk of a resumable upload (Google).
    var partSize: Int { get set }
    /// Seconds to wait for a connection to open.
    var connectTimeout: Int { get set }
    /// Seconds a response may be silent before the attempt fails.
    var readTimeout: Int { get set }
    /// The slowest a body may arrive before the attempt fails.
    var lowSpeed: LowSpeedLimit { get set }
    /// Pages a listing may take: a store that never stops answering "truncated" is given up on.
    var maxListPages: Int { get set }
}

extension TransferSettings {
    /// Reads `CKPT_S3_CONNECTIONS`, `AWS_MAX_ATTEMPTS`, `CKPT_S3_RANGE_MIB`, `CKPT_S3_PART_MIB`,
    /// `CKPT_S3_CONNECT_TIMEOUT` and `CKPT_S3_READ_TIMEOUT` (seconds), `CKPT_S3_LOW_SPEED_LIMIT`
    /// (bytes/s) over `CKPT_S3_LOW_SPEED_TIME` (seconds) and `CKPT_S3_MAX_LIST_PAGES`, where set.
    /// The names say S3 because they came first; they bound `gs://` transfers too.
    ///
    /// - Throws: ``StoreError`` naming the variable whose value is not a number in its range.
    mutating func read(from environment: [String: String]) throws(StoreError) {
        let settings = EnvironmentSettings(environment)
        try settings.number("CKPT_S3_CONNECTIONS", 1...512, &connections)
        try settings.number("AWS_MAX_ATTEMPTS", 1...50, &maxAttempts)
        try settings.number("CKPT_S3_RANGE_MIB", 1...256, scale: 1 << 20, &rangeSize)
        try settings.number("CKPT_S3_PART_MIB", 5...4096, scale: 1 << 20, &partSize)
        try settings.number("CKPT_S3_CONNECT_TIMEOUT", 1...600, &connectTimeout)
        try settings.number("CKPT_S3_READ_TIMEOUT", 1...3600, &readTimeout)
        try settings.number("CKPT_S3_LOW_SPEED_LIMIT", 1...(1 << 30), &lowSpeed.bytesPerSecond)
        try settings.number("CKPT_S3_LOW_SPEED_TIME", 1...3600, &lowSpeed.seconds)
        try settings.number("CKPT_S3_MAX_LIST_PAGES", 1...10_000_000, &maxListPages)
    }
}

/// Settings read from environment variables, each refused with a line naming it when its value
/// is not one the setting takes.
struct EnvironmentSettings {
    let environment: [String: String]

    init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// Sets `value` to the variable `name`'s whole number times `scale`, when it is set.
    func number(_ name: String, _ range: ClosedRange<Int>, scale: Int = 1, _ value: inout Int) throws(StoreError) {
        guard let text = environment[name] else { return }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw StoreError(.invalidRequest, name, "\"\(text)\" is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        value = parsed * scale
    }

    /// Sets `value` to the variable `name`'s value, when it is set.
    func choice<Value: RawRepresentable>(_ name: String, _ value: inout Value) throws(StoreError) where Value.RawValue == String {
        guard let text = environment[name] else { return }
        guard let parsed = Value(rawValue: text) else { throw StoreError(.invalidRequest, name, "\"\(text)\" is not a known value") }
        value = parsed
    }
}
