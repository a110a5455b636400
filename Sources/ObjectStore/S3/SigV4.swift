import Crypto

/// AWS Signature Version 4 for S3 requests.
///
/// S3's variant: the path is URI-encoded once (not twice, as other services do), every query
/// parameter is signed with `name=` for a valueless one, and `x-amz-content-sha256` is always
/// sent and signed.
public struct SigV4: Sendable {
    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request as SigV4 sees it.
    public struct Request: Sendable {
        public var method: String
        /// The `Host` header: the host, with `:port` when the port is not the scheme's default.
        public var host: String
        /// The path, not yet encoded (`/bucket/key with spaces`).
        public var path: String
        /// Query parameters, not yet encoded; a valueless parameter has an empty value.
        public var query: [(name: String, value: String)]
        /// Headers to send and sign besides `host`, `x-amz-date`, `x-amz-content-sha256` and the token.
        public var headers: [(name: String, value: String)]
        /// The hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        public init(
            method: String, host: String, path: String, query: [(name: String, value: String)] = [],
            headers: [(name: String, value: String)] = [], payloadHash: String = SigV4.emptyPayloadHash
        ) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }

        /// The path and query as they go on the request line, encoded exactly as signed.
        public var target: String {
            let query = SigV4.canonicalQuery(self.query)
            return PercentEncoding.encode(path, keepingSlash: true) + (query.isEmpty ? "" : "?" + query)
        }
    }

    /// The payload hash of a body that is not hashed (its integrity rests on a signed checksum header).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The hex SHA-256 of no bytes.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The headers to add to `request` (signed, with `authorization` last) at `date`, given as
    /// seconds since 1970.
    public func signedHeaders(for request: Request, at date: Double) -> [(name: String, value: String)] {
        let stamp = AMZDate(secondsSince1970: date)
        var headers = request.headers.map { (name: $0.name.lowercased(), value: Self.trimmed($0.value)) }
        headers.append(("host", request.host))
        headers.append(("x-amz-date", stamp.full))
        headers.append(("x-amz-content-sha256", request.payloadHash))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        headers.sort { $0.name < $1.name }
        let signedNames = headers.map(\.name).joined(separator: ";")
        let canonical = [
            request.method,
            PercentEncoding.encode(request.path, keepingSlash: true),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedNames,
            request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(stamp.day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(stamp.full)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(canonical.utf8))))"
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: stamp.day)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
        return headers.filter { $0.name != "host" } + [("authorization", authorization)]
    }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }

    /// The hex SHA-256 of `bytes`, for `x-amz-content-sha256`.
    public static func payloadHash(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Query parameters sorted by encoded name, then value, each `name=value`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (PercentEncoding.encode($0.name, keepingSlash: false), PercentEncoding.encode($0.value, keepingSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// A header value with leading and trailing spaces removed and inner runs collapsed.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var result = ""
        for byte in bytes {
            result.unicodeScalars.append(digits[Int(byte >> 4)])
            result.unicodeScalars.append(digits[Int(byte & 15)])
        }
        return result
    }
}

/// A UTC time stamp in SigV4's two forms: `20130524T000000Z` and `20130524`.
struct AMZDate {
    let full: String
    let day: String

    init(secondsSince1970 time: Double) {
        let (day, seconds) = Int64(time.rounded(.down)).quotientAndRemainder(dividingBy: 86_400)
        let civil = Self.civil(fromDays: day)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        self.day = "\(civil.year)\(two(civil.month))\(two(civil.day))"
        self.full = "\(self.day)T\(two(seconds / 3600))\(two(seconds / 60 % 60))\(two(seconds % 60))Z"
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Seconds since 1970 of `days` since 1970 plus a time of day.
    static func seconds(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }
}
