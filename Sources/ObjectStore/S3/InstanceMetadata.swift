import AsyncHTTPClient
import JSON
import NIOCore

/// The EC2 instance metadata service (IMDSv2): the credentials of the machine's IAM role.
struct InstanceMetadata: Sendable {
    let endpoint: StoreConfiguration.Endpoint

    /// The role's current credentials, or nil when no metadata service answers (not a cloud
    /// machine) within a second.
    func credentials(using http: HTTPClient) async throws(StoreError) -> Credentials? {
        let base = endpoint.url
        do {
            var tokenRequest = HTTPClientRequest(url: base + "/latest/api/token")
            tokenRequest.method = .PUT
            tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
            let tokenResponse = try await http.execute(tokenRequest, timeout: .seconds(1))
            guard tokenResponse.status == .ok else { return nil }
            let token = String(buffer: try await tokenResponse.body.collect(upTo: 4096))
            func get(_ path: String) async throws -> String? {
                var request = HTTPClientRequest(url: base + path)
                request.headers.add(name: "X-aws-ec2-metadata-token", value: token)
                let response = try await http.execute(request, timeout: .seconds(2))
                let body = try await response.body.collect(upTo: 64 << 10)
                return response.status == .ok ? String(buffer: body) : nil
            }
            let rolePath = "/latest/meta-data/iam/security-credentials/"
            guard let roles = try await get(rolePath), let role = roles.split(whereSeparator: \.isNewline).first,
                let document = try await get(rolePath + role)
            else { return nil }
            return try Self.parse(document)
        } catch let error as StoreError {
            throw error
        } catch {
            return nil
        }
    }

    /// The credentials in the metadata service's JSON document.
    static func parse(_ document: String) throws(StoreError) -> Credentials {
        let subject = "instance metadata"
        guard let value = try? JSONValue(parsing: Array(document.utf8)),
            let key = value["AccessKeyId"]?.string, let secret = value["SecretAccessKey"]?.string
        else { throw StoreError(.malformedResponse, subject, "the credentials document is not the expected JSON") }
        let expiration = value["Expiration"]?.string.flatMap(Self.parseISO8601)
        return Credentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: value["Token"]?.string, expiration: expiration, source: subject)
    }

    /// Seconds since 1970 of `2026-11-30T12:34:56Z`; nil for a text that is not such a time
    /// (each field is checked for its range before any arithmetic).
    static func parseISO8601(_ text: String) -> Double? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int64($0) }
        guard digits.count >= 6, text.hasSuffix("Z"), (1970...9999).contains(digits[0]), (1...12).contains(digits[1]),
            (1...31).contains(digits[2]), (0...23).contains(digits[3]), (0...59).contains(digits[4]), (0...60).contains(digits[5])
        else { return nil }
        return Double(
            AMZDate.seconds(year: digits[0], month: digits[1], day: digits[2], hour: digits[3], minute: digits[4], second: digits[5]))
    }
}
