import FixtureSupport
import Foundation
import Testing

@testable import ObjectStore

@Suite("SigV4 signing")
struct SigV4Tests {
    static let example = Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", source: "test")
    /// 2013-05-24T00:00:00Z, the time of AWS's published S3 examples.
    static let exampleTime = 1_369_353_600.0

    static func signature(
        _ request: SigV4.Request, credentials: Credentials = example, region: String = "us-east-1", at time: Double = exampleTime
    ) -> String {
        let headers = SigV4(credentials: credentials, region: region).signedHeaders(for: request, at: time)
        return headers.first { $0.name == "authorization" }!.value
    }

    // The four worked examples of AWS's "Signature Calculations for the Authorization Header" page.
    @Test func getObjectWithRange() {
        let request = SigV4.Request(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", headers: [("Range", "bytes=0-9")])
        #expect(
            Self.signature(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test func putObject() {
        let request = SigV4.Request(
            method: "PUT", host: "examplebucket.s3.amazonaws.com", path: "/test$file.text",
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(
            Self.signature(request).hasSuffix(
                "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
            ))
    }

    @Test func getBucketLifecycle() {
        let request = SigV4.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/", query: [("lifecycle", "")])
        #expect(Self.signature(request).hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    @Test func listObjects() {
        let request = SigV4.Request(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/", query: [("prefix", "J"), ("max-keys", "2")])
        #expect(Self.signature(request).hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
        #expect(request.target == "/?max-keys=2&prefix=J")
    }

    /// Signatures botocore computes for the requests these tools send (Fixtures/s3/sigv4_vectors.py):
    /// keys with `+`, spaces, non-ASCII and reserved characters, unsorted and valueless query
    /// parameters, conditional and checksum headers, and a session token.
    @Test func matchesBotocore() throws {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("s3/sigv4-vectors.json"))))
            as! [String: Any]
        let vectors = document["vectors"] as! [[String: Any]]
        #expect(vectors.count >= 7)
        for vector in vectors {
            let credentials = Credentials(
                accessKeyID: document["access_key_id"] as! String, secretAccessKey: document["secret_access_key"] as! String,
                sessionToken: vector["session_token"] as? String, source: "test")
            let request = SigV4.Request(
                method: vector["method"] as! String, host: vector["host"] as! String, path: vector["path"] as! String,
                query: (vector["query"] as! [[String]]).map { ($0[0], $0[1]) },
                headers: (vector["headers"] as! [[String]]).map { ($0[0], $0[1]) },
                payloadHash: vector["payload_hash"] as! String)
            let time = (vector["seconds_since_1970"] as! NSNumber).doubleValue
            #expect(
                Self.signature(request, credentials: credentials, region: vector["region"] as! String, at: time) == vector["authorization"]
                    as! String,
                "\(vector["name"]!)")
        }
    }

    @Test func sessionTokenIsSentAndSigned() {
        let credentials = Credentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token/+=", source: "test")
        let headers = SigV4(credentials: credentials, region: "us-east-1")
            .signedHeaders(for: SigV4.Request(method: "GET", host: "h", path: "/b/k"), at: Self.exampleTime)
        #expect(headers.contains { $0.name == "x-amz-security-token" && $0.value == "token/+=" })
        #expect(headers.last!.value.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test func encodesPathsOnceAndKeepsSlashes() {
        #expect(PercentEncoding.encode("/run/a b+c/é~", keepingSlash: true) == "/run/a%20b%2Bc/%C3%A9~")
        #expect(PercentEncoding.encode("a/b", keepingSlash: false) == "a%2Fb")
        #expect(SigV4.canonicalQuery([("uploads", ""), ("b", "2"), ("a", "z"), ("a", "y")]) == "a=y&a=z&b=2&uploads=")
    }

    @Test func datesAreUTC() {
        #expect(AMZDate(secondsSince1970: Self.exampleTime).full == "20130524T000000Z")
        #expect(AMZDate(secondsSince1970: 951_827_696).full == "20000229T123456Z")
        #expect(AMZDate(secondsSince1970: 4_107_542_399).full == "21000228T235959Z")
        #expect(AMZDate.seconds(year: 2000, month: 2, day: 29, hour: 12, minute: 34, second: 56) == 951_827_696)
    }

    @Test func credentialsNeverDescribeTheirSecret() {
        let credentials = Credentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "tok", source: "environment")
        #expect(!String(describing: credentials).contains("very-secret"))
        #expect(!"\(credentials)".contains("tok"))
    }
}
