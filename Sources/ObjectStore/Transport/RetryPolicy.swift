import Glibc

/// When to try a request again, and how long to wait first: exponential backoff with full
/// jitter (a random wait up to `base × 2^attempt`, capped), as AWS recommends so that many
/// clients backing off at once do not retry in lock step.
struct RetryPolicy: Sendable {
    var maxAttempts: Int
    var baseDelay: Double = 0.1
    var maxDelay: Double = 10

    /// Seconds to wait before attempt `attempt + 1` (attempts count from 1).
    func delay(afterAttempt attempt: Int) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt, 20)))
        return Double.random(in: 0...ceiling)
    }

    /// Sleeps before the next attempt; false when the attempts are used up.
    func pause(afterAttempt attempt: Int) async -> Bool {
        guard attempt < maxAttempts else { return false }
        let seconds = delay(afterAttempt: attempt)
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        return true
    }

    /// Whether an HTTP status with S3 error `code` is worth another attempt: server errors,
    /// throttling, a request the server timed out, a checksum the bytes failed in transit, and a
    /// concurrent conditional write that the store asks to retry.
    static func isRetryable(status: Int, code: String?) -> Bool {
        if status >= 500 || status == 429 { return true }
        guard status != 403, let code else { return false }
        return ["SlowDown", "RequestTimeout", "InternalError", "BadDigest", "ConditionalRequestConflict", "OperationAborted"].contains(code)
    }
}

/// Seconds since 1970 by the wall clock (SigV4 dates, credential expiry).
func wallClock() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
