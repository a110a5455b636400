import FuzzSupport

@testable import ObjectStore

// What an S3-compatible store answers, read as the client reads it: the XML reader (elements,
// entities, numeric references, bad UTF-8), a listing page (keys, sizes, continuation tokens)
// and the names of a folder's children under the one name rule.
FuzzWorkspace.run(seeds: {
    [
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>ckpt-test</Name><Prefix>run/</Prefix>\
        <KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>\
        <Contents><Key>run/ckpt-1.index</Key><LastModified>2026-12-02T06:00:00.000Z</LastModified><ETag>&quot;0a1b&quot;</ETag>\
        <Size>1343</Size><StorageClass>STANDARD</StorageClass></Contents>\
        <Contents><Key>run/ckpt-1.data-00000-of-00001</Key><Size>42712</Size><StorageClass>GLACIER</StorageClass></Contents>\
        <CommonPrefixes><Prefix>run/sub/</Prefix></CommonPrefixes><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>
        """,
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate &amp; retry &#x41;&#66;.</Message></Error>",
        "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>",
    ].map { Array($0.utf8) }
}) { input in
    let document = XMLDocument(input)
    _ = document.first("Code")
    _ = document.all("Key")
    for section in document.sections("Contents") { _ = section.first("Size") }
    let bucket = ObjectLocation(store: .s3, bucket: "ckpt-test", key: "")
    guard let page = try? ListingPage(parsing: input, bucket: bucket, subject: "s3://ckpt-test/run/") else { return }
    let children = page.entries.children(of: "run/")
    for name in children.objects.keys {
        precondition(
            !name.isEmpty && !name.contains("/") && !name.unicodeScalars.contains(where: { $0.value < 0x20 }),
            "a child with a name that is not plain")
    }
    for object in page.entries.objects { precondition(object.size >= 0, "a negative size") }
}
