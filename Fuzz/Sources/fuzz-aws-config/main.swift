import FuzzSupport
import MappedIO

@testable import ObjectStore

// The AWS shared configuration and credentials files (INI sections) and the instance metadata
// service's credentials document, read as the client reads them: the input is written as both
// `~/.aws/config` and `~/.aws/credentials` and the configuration built from the environment
// (endpoints, regions, numbers out of range must be refusals, never traps), then parsed as a
// metadata document (an expiry with a year past 9999 trapped the date arithmetic).
let file = Path.join(FuzzWorkspace.scratch, "aws-config")

FuzzWorkspace.run(seeds: {
    [
        """
        [default]
        region = eu-west-1
        endpoint_url = http://127.0.0.1:9000
        aws_access_key_id = AKIDEXAMPLE
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
        s3 =
          addressing_style = path
        [profile train]
        region = auto
        ; a comment
        # another
        """,
        #"{"Code":"Success","AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":"2026-12-02T12:34:56Z"}"#,
    ].map { Array($0.utf8) }
}) { input in
    _ = ProfileFile(text: String(decoding: input, as: UTF8.self)).section("default")
    FuzzWorkspace.write(input, to: file)
    for profile in ["default", "train"] {
        _ = try? StoreConfiguration.fromEnvironment([
            "HOME": FuzzWorkspace.scratch, "AWS_CONFIG_FILE": file, "AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": profile,
        ])
    }
    _ = try? InstanceMetadata.parse(String(decoding: input, as: UTF8.self))
}
