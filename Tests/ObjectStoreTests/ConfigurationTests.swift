import Foundation
import Testing

@testable import ObjectStore

@Suite("Store configuration, locations, XML")
struct ConfigurationTests {
    @Test func parsesLocations() {
        let location = ObjectLocation(url: "s3://my-bucket.v2/run/ckpt-1000")
        #expect(location?.bucket == "my-bucket.v2")
        #expect(location?.key == "run/ckpt-1000")
        #expect(location?.name == "ckpt-1000")
        #expect(location?.parent.description == "s3://my-bucket.v2/run/")
        #expect(location?.appending("x").description == "s3://my-bucket.v2/run/ckpt-1000/x")
        #expect(ObjectLocation(url: "s3://b")?.key == nil)  // too short a bucket
        #expect(ObjectLocation(url: "s3://Bucket/k") == nil)
        #expect(ObjectLocation(url: "s3://bucket")?.key == "")
        let google = ObjectLocation(url: "gs://my_bucket/run/ckpt-1")
        #expect(google?.store == .gcs && google?.bucket == "my_bucket" && google?.parent.description == "gs://my_bucket/run/")
        #expect(ObjectLocation(url: "s3://my_bucket/k") == nil)  // `_` is Google's only
        #expect(ObjectLocation(url: "az://bucket/k") == nil)
    }

    @Test func readsEndpointsRegionsAndProfiles() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-aws-\(UUID())").path
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try """
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = defaultsecret
        # a comment
        [train]
        aws_access_key_id=TRAINKEY
        aws_secret_access_key= train/secret
        aws_session_token =token
        """.write(toFile: home + "/.aws/credentials", atomically: true, encoding: .utf8)
        try """
        [profile train]
        region = eu-central-1
        endpoint_url = https://minio.example.com:9000
        s3 =
          addressing_style = virtual
        """.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)

        let aws = try StoreConfiguration.fromEnvironment(["HOME": home])
        #expect(aws.endpoint.host == "s3.us-east-1.amazonaws.com" && aws.endpoint.secure)
        #expect(aws.addressing == .virtualHosted)
        #expect(aws.address(bucket: "bucket", key: "k").host == "bucket.s3.us-east-1.amazonaws.com")
        #expect(aws.address(bucket: "dotted.bucket", key: "k") == ("s3.us-east-1.amazonaws.com", "/dotted.bucket/k"))
        #expect(aws.profileCredentials?.accessKeyID == "DEFAULTKEY")

        let train = try StoreConfiguration.fromEnvironment(["HOME": home, "AWS_PROFILE": "train"])
        #expect(train.region == "eu-central-1")
        #expect(train.endpoint == StoreConfiguration.Endpoint(secure: true, host: "minio.example.com", port: 9000))
        #expect(train.addressing == .path)
        #expect(train.address(bucket: "b", key: "k") == ("minio.example.com:9000", "/b/k"))
        #expect(train.profileCredentials?.secretAccessKey == "train/secret")
        #expect(train.profileCredentials?.sessionToken == "token")

        let overridden = try StoreConfiguration.fromEnvironment([
            "HOME": home, "AWS_PROFILE": "train", "AWS_REGION": "auto", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:8333",
            "AWS_ENDPOINT_URL": "http://ignored:1", "CKPT_S3_CHECKSUM": "md5", "CKPT_S3_CONNECTIONS": "16", "AWS_MAX_ATTEMPTS": "3",
        ])
        #expect(overridden.region == "auto")
        #expect(overridden.endpoint.url == "http://127.0.0.1:8333")
        #expect(overridden.uploadChecksum == .md5 && overridden.connections == 16 && overridden.maxAttempts == 3)

        #expect(throws: StoreError.self) { try StoreConfiguration.fromEnvironment(["HOME": home, "AWS_PROFILE": "nope"]) }
        #expect(throws: StoreError.self) { try StoreConfiguration.fromEnvironment(["HOME": home, "AWS_ENDPOINT_URL": "ftp://x"]) }
        #expect(throws: StoreError.self) { try StoreConfiguration.fromEnvironment(["HOME": home, "CKPT_S3_CHECKSUM": "sha1"]) }
        #expect(throws: StoreError.self) { try StoreConfiguration.fromEnvironment(["HOME": home, "CKPT_S3_CONNECTIONS": "0"]) }
    }

    @Test func parsesEndpoints() {
        #expect(StoreConfiguration.Endpoint(url: "https://s3.example.com/")?.authority(host: "s3.example.com") == "s3.example.com")
        #expect(StoreConfiguration.Endpoint(url: "http://127.0.0.1:80")?.authority(host: "127.0.0.1") == "127.0.0.1")
        #expect(StoreConfiguration.Endpoint(url: "http://h:99999") == nil)
        #expect(StoreConfiguration.Endpoint(url: "http://user@h") == nil)
        #expect(StoreConfiguration.Endpoint(url: "http://h/path") == nil)
    }

    @Test func readsInstanceMetadataCredentials() throws {
        let credentials = try InstanceMetadata.parse(
            """
            {"Code": "Success", "LastUpdated": "2026-11-30T10:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "ASIAEXAMPLE",
             "SecretAccessKey": "secret", "Token": "token", "Expiration": "2026-11-30T16:00:00Z"}
            """)
        #expect(credentials.accessKeyID == "ASIAEXAMPLE" && credentials.sessionToken == "token")
        #expect(credentials.expiration == Double(AMZDate.seconds(year: 2026, month: 11, day: 30, hour: 16, minute: 0, second: 0)))
        #expect(throws: StoreError.self) { try InstanceMetadata.parse("{\"Code\": \"Failure\"}") }
    }

    @Test func readsS3Answers() {
        let listing = XMLDocument(
            Array(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>run/</Prefix>
                <IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken>
                <Contents><Key>run/a&amp;b &lt;c&gt; &#233;&#x2603;</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag><StorageClass>GLACIER</StorageClass></Contents>
                <Contents><Key>run/empty</Key><Size>0</Size><ETag/></Contents>
                <CommonPrefixes><Prefix>run/sub/</Prefix></CommonPrefixes></ListBucketResult>
                """.utf8))
        let contents = listing.sections("Contents")
        #expect(contents.count == 2)
        #expect(contents[0].first("Key") == "run/a&b <c> é☃")
        #expect(contents[0].first("ETag") == "\"abc\"")
        #expect(contents[1].first("ETag") == "")
        #expect(listing.first("NextContinuationToken") == "t&1")
        #expect(listing.sections("CommonPrefixes").first?.first("Prefix") == "run/sub/")
        #expect(listing.first("Missing") == nil)
        // Malformed input is simply not found.
        #expect(XMLDocument(Array("<Key>unterminated".utf8)).first("Key") == nil)
        #expect(XMLDocument(Array("<Keys>x</Keys>".utf8)).first("Key") == nil)
    }

    @Test func encodesBase64() {
        #expect(Base64.encode(Array("".utf8)) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    @Test func retriesWhatMaySucceedAndBacksOff() {
        #expect(RetryPolicy.isRetryable(status: 503, code: "SlowDown"))
        #expect(RetryPolicy.isRetryable(status: 500, code: nil))
        #expect(RetryPolicy.isRetryable(status: 400, code: "RequestTimeout"))
        #expect(RetryPolicy.isRetryable(status: 409, code: "ConditionalRequestConflict"))
        #expect(!RetryPolicy.isRetryable(status: 403, code: "AccessDenied"))
        #expect(!RetryPolicy.isRetryable(status: 412, code: "PreconditionFailed"))
        #expect(!RetryPolicy.isRetryable(status: 404, code: "NoSuchKey"))
        let policy = RetryPolicy(maxAttempts: 5)
        for attempt in 1...30 {
            #expect((0...policy.maxDelay).contains(policy.delay(afterAttempt: attempt)))
        }
    }
}
