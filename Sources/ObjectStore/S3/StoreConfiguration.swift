import Glibc

/// How to reach an S3-compatible store and how to talk to it, read the way AWS tools read it.
public struct StoreConfiguration: Sendable, TransferSettings {
    /// Where requests go.
    public struct Endpoint: Sendable, Hashable {
        public var secure: Bool
        public var host: String
        public var port: Int?

        /// Parses `http[s]://HOST[:PORT][/]`.
        public init?(url: String) {
            let secure: Bool
            let rest: Substring
            if url.hasPrefix("https://") {
                (secure, rest) = (true, url.dropFirst(8))
            } else if url.hasPrefix("http://") {
                (secure, rest) = (false, url.dropFirst(7))
            } else {
                return nil
            }
            let authority = rest.prefix { $0 != "/" }
            guard rest.dropFirst(authority.count).allSatisfy({ $0 == "/" }), !authority.isEmpty, !authority.contains("@") else {
                return nil
            }
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else { return nil }
                self.init(secure: secure, host: String(authority[..<colon]), port: port)
            } else {
                self.init(secure: secure, host: String(authority), port: nil)
            }
        }

        public init(secure: Bool, host: String, port: Int?) {
            self.secure = secure
            self.host = host
            self.port = port
        }

        /// The `Host` header for `host`: with the port unless it is the scheme's default.
        func authority(host: String) -> String {
            guard let port, port != (secure ? 443 : 80) else { return host }
            return "\(host):\(port)"
        }

        var url: String { (secure ? "https://" : "http://") + authority(host: host) }
    }

    /// Where the bucket goes in a request.
    public enum Addressing: String, Sendable {
        /// `https://BUCKET.s3.REGION.amazonaws.com/KEY`, AWS's default.
        case virtualHosted = "virtual"
        /// `https://ENDPOINT/BUCKET/KEY`, for custom endpoints and dotted bucket names.
        case path
    }

    /// The checksum sent with each upload for the store to verify.
    public enum UploadChecksum: String, Sendable {
        /// `x-amz-checksum-crc32c` (AWS, SeaweedFS, MinIO).
        case crc32c
        /// `Content-MD5`, accepted everywhere.
        case md5
        /// None (a store that rejects both).
        case none
    }

    /// How a create-only write is made.
    public enum ConditionalWrites: String, Sendable {
        /// `If-None-Match: *` and `If-Match: ETAG` on the write itself: atomic.
        case native
        /// A HEAD before the write: for stores without conditional writes; not atomic against
        /// another writer.
        case head
    }

    public var endpoint: Endpoint
    public var region: String
    public var addressing: Addressing
    public var uploadChecksum: UploadChecksum
    public var conditionalWrites: ConditionalWrites
    /// Connections kept open to the store (requests in flight).
    public var connections: Int
    /// Attempts per request before a retryable failure is reported.
    public var maxAttempts: Int
    /// Bytes per ranged GET.
    public var rangeSize: Int
    /// Bytes per part of a multipart upload (raised for huge objects to stay within 10,000 parts).
    public var partSize: Int
    /// Objects at least this large are uploaded in parts.
    public var multipartThreshold: Int
    /// Seconds to wait for a connection to open.
    public var connectTimeout = 3
    /// Seconds a response may be silent before the attempt fails.
    public var readTimeout = 60
    /// The slowest a body may arrive before the attempt fails.
    public var lowSpeed = LowSpeedLimit(bytesPerSecond: 1024, seconds: 30)
    /// Pages a listing may take: a store that never stops answering "truncated" is given up on.
    public var maxListPages = 100_000
    /// Where credentials come from when the environment names none.
    var profileCredentials: Credentials?
    /// Whether the instance metadata service may be asked for credentials.
    var instanceMetadata: InstanceMetadata?

    /// The configuration the environment describes:
    /// - endpoint: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`,
    ///   else AWS (`s3.REGION.amazonaws.com`, virtual-hosted addressing);
    /// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`;
    /// - profile: `AWS_PROFILE` (else `default`) in `AWS_SHARED_CREDENTIALS_FILE` and
    ///   `AWS_CONFIG_FILE` (else `~/.aws/credentials` and `~/.aws/config`);
    /// - this tool's own settings: `CKPT_S3_ADDRESSING` (`virtual`, `path`),
    ///   `CKPT_S3_CHECKSUM` (`crc32c`, `md5`, `none`), `CKPT_S3_CONDITIONAL_WRITES`
    ///   (`native`, `head`), `CKPT_S3_CONNECTIONS`, `CKPT_S3_RANGE_MIB`, `CKPT_S3_PART_MIB`,
    ///   `AWS_MAX_ATTEMPTS`, and the limits that make every operation end in bounded time:
    ///   `CKPT_S3_CONNECT_TIMEOUT` and `CKPT_S3_READ_TIMEOUT` (seconds), `CKPT_S3_LOW_SPEED_LIMIT`
    ///   (bytes/s) over `CKPT_S3_LOW_SPEED_TIME` (seconds), `CKPT_S3_MAX_LIST_PAGES`.
    ///
    /// - Throws: ``StoreError`` for a setting that cannot be used, `FileError` for a profile
    ///   file that cannot be read.
    public static func fromEnvironment(_ environment: [String: String]) throws -> StoreConfiguration {
        let home = environment["HOME"] ?? "/"
        let profileName = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        let credentialsFile = try ProfileFile(path: credentialsPath)
        let configFile = try ProfileFile(path: configPath)
        let config = configFile.section(profileName == "default" ? "default" : "profile \(profileName)") ?? [:]
        let secrets = credentialsFile.section(profileName) ?? [:]
        if profileName != "default", environment["AWS_ACCESS_KEY_ID"] == nil, credentialsFile.section(profileName) == nil,
            configFile.section("profile \(profileName)") == nil
        {
            throw StoreError(
                .credentials, "AWS_PROFILE", "the profile \"\(profileName)\" is in neither \(credentialsPath) nor \(configPath)")
        }
        func setting(_ key: String) -> String? { secrets[key] ?? config[key] }

        let region =
            [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"], config["region"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
        let custom = [environment["AWS_ENDPOINT_URL_S3"], environment["AWS_ENDPOINT_URL"], config["endpoint_url"]]
            .compactMap { $0 }.first { !$0.isEmpty }
        let endpoint: Endpoint
        if let custom {
            let authority = custom.firstRange(of: "://").map { custom[$0.upperBound...].prefix { $0 != "/" } } ?? ""
            if authority.contains("@") {
                throw StoreError(
                    .invalidRequest, "AWS_ENDPOINT_URL",
                    "credentials in the endpoint URL are not accepted; give them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            guard let parsed = Endpoint(url: custom) else {
                throw StoreError(
                    .invalidRequest, "AWS_ENDPOINT_URL", "\"\(custom)\" is not an http:// or https:// URL of a host (and port)")
            }
            endpoint = parsed
        } else {
            endpoint = Endpoint(secure: true, host: "s3.\(region).amazonaws.com", port: nil)
        }

        var configuration = StoreConfiguration(
            endpoint: endpoint, region: region, addressing: custom == nil ? .virtualHosted : .path,
            uploadChecksum: .crc32c, conditionalWrites: .native, connections: 64, maxAttempts: 8,
            rangeSize: 8 << 20, partSize: 16 << 20, multipartThreshold: 64 << 20)
        let settings = EnvironmentSettings(environment)
        try settings.choice("CKPT_S3_ADDRESSING", &configuration.addressing)
        try settings.choice("CKPT_S3_CHECKSUM", &configuration.uploadChecksum)
        try settings.choice("CKPT_S3_CONDITIONAL_WRITES", &configuration.conditionalWrites)
        try configuration.read(from: environment)

        if let key = setting("aws_access_key_id"), let secret = setting("aws_secret_access_key") {
            configuration.profileCredentials = Credentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: setting("aws_session_token"), source: "profile \(profileName)")
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            let url = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
            configuration.instanceMetadata = Endpoint(url: url).map(InstanceMetadata.init)
        }
        return configuration
    }

    public init(
        endpoint: Endpoint, region: String, addressing: Addressing, uploadChecksum: UploadChecksum, conditionalWrites: ConditionalWrites,
        connections: Int, maxAttempts: Int, rangeSize: Int, partSize: Int, multipartThreshold: Int
    ) {
        self.endpoint = endpoint
        self.region = region
        self.addressing = addressing
        self.uploadChecksum = uploadChecksum
        self.conditionalWrites = conditionalWrites
        self.connections = connections
        self.maxAttempts = maxAttempts
        self.rangeSize = rangeSize
        self.partSize = partSize
        self.multipartThreshold = multipartThreshold
    }

    /// The host, `Host` header and path of a request for `key` in `bucket`.
    func address(bucket: String, key: String) -> (host: String, path: String) {
        if addressing == .virtualHosted && !bucket.contains(".") {
            return (endpoint.authority(host: "\(bucket).\(endpoint.host)"), "/" + key)
        }
        return (endpoint.authority(host: endpoint.host), "/\(bucket)/" + key)
    }

    /// The process's environment as a dictionary.
    public static var processEnvironment: [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
