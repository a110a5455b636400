#!/usr/bin/env python3
"""Writes sigv4-vectors.json: SigV4 signatures that botocore computes for S3 requests at a
fixed time, for the ObjectStore unit tests. Run: python3 Fixtures/s3/sigv4_vectors.py

Each case is signed by botocore's S3SigV4Auth with the headers we send (host, x-amz-date,
x-amz-content-sha256, optionally a session token and extra headers); the test signs the same
request with our SigV4 and compares the Authorization header byte for byte."""
import datetime, json, os
from unittest import mock
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

WHEN = datetime.datetime(2026, 11, 30, 12, 34, 56)
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
CASES = [
    ("plain get", "GET", "examplebucket.s3.amazonaws.com", "/ckpt-1000.index", [], [], EMPTY, None),
    ("ranged get", "GET", "examplebucket.s3.amazonaws.com", "/run/ckpt-1000.data-00000-of-00001", [], [("range", "bytes=8388608-16777215")], EMPTY, None),
    ("key with plus, space and unicode", "GET", "127.0.0.1:8333", "/bucket/a+b c/\u00e9t\u00e9 \u2603.index", [], [], EMPTY, None),
    ("key with reserved characters", "PUT", "127.0.0.1:8333", "/bucket/x=1&y;z@(1)!*'~.ckptdelta", [],
     [("content-type", "application/octet-stream"), ("x-amz-checksum-crc32c", "yZRlqg=="), ("if-none-match", "*")],
     "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", None),
    ("listing with unsorted and encoded query", "GET", "s3.eu-west-1.amazonaws.com", "/bucket/",
     [("prefix", "run/ckpt 1/"), ("list-type", "2"), ("delimiter", "/"), ("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")], [], EMPTY, None),
    ("valueless parameter", "POST", "bucket.s3.amazonaws.com", "/archive/ckpt-20.ckptdelta", [("uploads", "")],
     [("content-type", "application/octet-stream"), ("x-amz-storage-class", "DEEP_ARCHIVE")], EMPTY, None),
    ("session token", "HEAD", "bucket.s3.us-west-2.amazonaws.com", "/archive.json", [], [("if-match", '"9b2cf535f27731c974343645a3985328"')], EMPTY,
     "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with=padding"),
]


def sign(method, host, path, query, headers, payload, token, region):
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token)
    from urllib.parse import quote
    url = "https://" + host + quote(path, safe="/~")
    if query:
        url += "?" + "&".join(quote(k, safe="~") + ("=" + quote(v, safe="~") if v or k != "uploads" else "") for k, v in query)
    # botocore hashes the body itself: the one non-empty payload of CASES is b"hello".
    body = b"hello" if payload != EMPTY else b""
    request = AWSRequest(method=method, url=url, data=body, headers={"host": host, "x-amz-content-sha256": payload, **dict(headers)})
    auth = S3SigV4Auth(creds, "s3", region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        auth.add_auth(request)
    return request.headers["Authorization"]


def main():
    vectors = []
    for name, method, host, path, query, headers, payload, token in CASES:
        region = "eu-west-1" if "eu-west-1" in host else ("us-west-2" if "us-west-2" in host else "us-east-1")
        vectors.append({
            "name": name, "method": method, "host": host, "path": path, "query": [list(q) for q in query],
            "headers": [list(h) for h in headers], "payload_hash": payload, "session_token": token, "region": region,
            "seconds_since_1970": int(WHEN.replace(tzinfo=datetime.timezone.utc).timestamp()),
            "authorization": sign(method, host, path, query, headers, payload, token, region),
        })
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigv4-vectors.json")
    with open(out, "w") as f:
        json.dump({"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "vectors": vectors}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
