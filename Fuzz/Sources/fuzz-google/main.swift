import FuzzSupport
import MappedIO

@testable import ObjectStore

// What Google's side hands the client, read as the client reads it: a credentials file (a
// service account's key or a user's refresh token: the input is written as the file
// GOOGLE_APPLICATION_CREDENTIALS names), a token endpoint's or metadata server's answer, an
// object resource (sizes and generations as decimal strings), and an `x-goog-hash` header.
// Refusals, never traps; and a parsed object never has a negative size.
let file = Path.join(FuzzWorkspace.scratch, "credentials.json")
let bucket = ObjectLocation(store: .gcs, bucket: "ckpt-test", key: "")

FuzzWorkspace.run(seeds: {
    [
        #"{"type": "service_account", "client_email": "sa@p.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "private_key_id": "k1", "token_uri": "https://oauth2.googleapis.com/token"}"#,
        #"{"type": "authorized_user", "client_id": "id.apps.googleusercontent.com", "client_secret": "s", "refresh_token": "1//r"}"#,
        #"{"access_token": "ya29.a0", "expires_in": 3599, "token_type": "Bearer"}"#,
        #"{"kind": "storage#object", "name": "run/ckpt-1.index", "size": "1343", "generation": "1796264929453318", "storageClass": "NEARLINE", "crc32c": "E7o/Hw=="}"#,
        "crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==",
    ].map { Array($0.utf8) }
}) { input in
    FuzzWorkspace.write(input, to: file)
    _ = try? GoogleCredentials(environment: ["GOOGLE_APPLICATION_CREDENTIALS": file])
    _ = try? GoogleAccessToken.parse(input, now: 1.8e9, source: "fuzz", principal: nil, subject: "fuzz")
    if let object = try? GoogleObject.info(parsing: input, in: bucket, subject: "gs://ckpt-test/") {
        precondition(object.size >= 0 && !object.location.key.isEmpty, "an object resource read with a negative size or no name")
    }
    let text = String(decoding: input, as: UTF8.self)
    _ = GoogleObject.crc32c(inHashHeader: text)
    _ = GoogleDialect.isAboutBucket(text)
}
