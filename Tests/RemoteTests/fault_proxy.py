#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy that injects faults between the tools and a real store (an S3
server, or Google's emulator).

Usage: fault_proxy.py LISTEN_PORT UPSTREAM_PORT CONTROL_FILE

Before each request it reads CONTROL_FILE (JSON, absent = no faults):
  {"slowdown_every": N}  every Nth request is answered 503 SlowDown without reaching the server
  {"cut_every": N}       every Nth response with a body of 1 KiB or more is cut after half its
                         body and the connection closed
  {"delay_every": N, "delay_seconds": S}  every Nth response is held back S seconds
  {"loop_listing": "same"}     every listing says it is truncated, with the continuation token
                               (S3) or next page token (Google) "loop" (a store that never ends
                               a listing); "distinct" gives a new token each time (a listing of
                               endless pages)
  {"flip_media_byte": true}    the middle byte of every media download's body (a request line
                               holding alt=media) is flipped: damage in transit
  {"trickle_bytes_per_second": B, "trickle_path": P}  every response body (to a request whose
                               line holds P, if given) is sent B bytes a second
and writes what it injected to CONTROL_FILE.stats as JSON counters.
Requests are forwarded unchanged (the Host header too, so signatures still verify)."""
import asyncio, json, os, sys

LISTEN, UPSTREAM, CONTROL = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
stats = {"requests": 0, "slowdowns": 0, "cuts": 0, "delays": 0, "loops": 0, "trickles": 0, "flips": 0}


def control():
    try:
        with open(CONTROL) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_stats():
    with open(CONTROL + ".stats.tmp", "w") as f:
        json.dump(stats, f)
    os.replace(CONTROL + ".stats.tmp", CONTROL + ".stats")


def every(faults, name, count):
    n = int(faults.get(name, 0))
    return n > 0 and count % n == 0


def dechunked(head, body):
    """The head and body of a response, a chunked body made plain (so that it can be edited)."""
    if b"transfer-encoding: chunked" not in head.lower():
        return head, body
    plain, rest = b"", body
    while True:
        size_line, rest = rest.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        plain, rest = plain + rest[:size], rest[size + 2:]
    head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"transfer-encoding:"))
    return with_length(head.replace(b"\r\n\r\n", b"\r\nContent-Length: 0\r\n\r\n", 1), len(plain)), plain


def with_length(head, length):
    return b"\r\n".join(
        b"Content-Length: %d" % length if line.lower().startswith(b"content-length:") else line for line in head.split(b"\r\n"))


async def read_message_head(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return head, lines[0], headers


async def serve(client_reader, client_writer):
    try:
        while True:
            try:
                head, request_line, headers = await read_message_head(client_reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            body = await client_reader.readexactly(int(headers.get("content-length", "0")))
            stats["requests"] += 1
            count = stats["requests"]
            faults = control()
            if every(faults, "slowdown_every", count):
                stats["slowdowns"] += 1
                save_stats()
                message = b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                client_writer.write(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n" % len(message) + message)
                await client_writer.drain()
                continue
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", UPSTREAM)
            forwarded = head.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1) if b"connection:" not in head.lower() else head
            upstream_writer.write(forwarded + body)
            await upstream_writer.drain()
            response = await upstream_reader.read()
            upstream_writer.close()
            split = response.find(b"\r\n\r\n") + 4
            response_head, response_body = dechunked(response[:split], response[split:])
            loop = faults.get("loop_listing")
            gcs_listing = b'"kind":"storage#objects"' in response_body[:64]
            if loop and request_line.startswith("GET") and ("list-type=2" in request_line or gcs_listing):
                stats["loops"] += 1
                token = b"loop" if loop == "same" else b"loop-%d" % count
                if gcs_listing:
                    response_body = response_body.replace(b'"kind":"storage#objects"', b'"kind":"storage#objects","nextPageToken":"' + token + b'"', 1)
                else:
                    response_body = response_body.replace(b"<IsTruncated>false</IsTruncated>", b"<IsTruncated>true</IsTruncated><NextContinuationToken>" + token + b"</NextContinuationToken>", 1)
                response_head = with_length(response_head, len(response_body))
            if faults.get("flip_media_byte") and "alt=media" in request_line and response_body:
                stats["flips"] += 1
                middle = len(response_body) // 2
                response_body = response_body[:middle] + bytes([response_body[middle] ^ 0xFF]) + response_body[middle + 1:]
            rate = int(faults.get("trickle_bytes_per_second", 0))
            if rate > 0 and response_body and faults.get("trickle_path", "") in request_line:
                stats["trickles"] += 1
                save_stats()
                client_writer.write(response_head)
                for start in range(0, len(response_body), rate):
                    client_writer.write(response_body[start:start + rate])
                    await client_writer.drain()
                    await asyncio.sleep(1)
                client_writer.close()
                return
            if every(faults, "delay_every", count):
                stats["delays"] += 1
                await asyncio.sleep(float(faults.get("delay_seconds", 0.5)))
            if request_line.startswith("GET") and len(response_body) >= 1024 and every(faults, "cut_every", count):
                stats["cuts"] += 1
                save_stats()
                client_writer.write(response_head + response_body[: len(response_body) // 2])
                await client_writer.drain()
                client_writer.close()
                return
            save_stats()
            client_writer.write(response_head + response_body)
            await client_writer.drain()
            if b"connection: close" in response_head.lower():
                client_writer.close()
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        client_writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()


asyncio.run(main())
