#!/usr/bin/env python3
"""A WebSocket client for deploy/smoke.sh, Python's standard library only (nothing to install).

    smoke_ws.py URL [--updates N] [--seconds S] [--log FILE]

Connects to URL (ws://host:port/path), listens without subscribing (so every price update
comes), and writes one line per message to FILE (or stdout): `<unix time> <type> [<symbol>]`,
and `<unix time> closed <code>` when the server closes. Exits 0 once N price updates arrived
(with --updates), or after S seconds if at least one did; 1 otherwise.
"""

import argparse
import base64
import json
import os
import socket
import struct
import sys
import time
from urllib.parse import urlsplit


def connect(url, timeout):
    """Opens the TCP connection and does the HTTP upgrade; returns the socket."""
    parts = urlsplit(url)
    if parts.scheme != "ws":
        raise SystemExit(f"smoke_ws: {url} is not a ws:// URL")
    port = parts.port or 80
    sock = socket.create_connection((parts.hostname, port), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.hostname}:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(request.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise SystemExit(f"smoke_ws: {url} closed the connection during the upgrade")
        head += chunk
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status + " ":
        raise SystemExit(f"smoke_ws: {url} answered the upgrade with '{status}'")
    return sock


def read_exact(sock, n):
    """Reads exactly n bytes; None when the peer closed first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    """One frame from the server (servers never mask): (fin, opcode, payload) or None at EOF."""
    head = read_exact(sock, 2)
    if head is None:
        return None
    fin, opcode = head[0] & 0x80, head[0] & 0x0F
    length = head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exact(sock, 8))[0]
    payload = read_exact(sock, length) if length else b""
    return fin, opcode, payload


def send_frame(sock, opcode, payload):
    """Sends one masked frame (clients must mask); payloads here are small control frames."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--updates", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--log")
    args = parser.parse_args()
    out = open(args.log, "a", buffering=1) if args.log else sys.stdout
    deadline = time.time() + args.seconds
    sock = connect(args.url, timeout=5)
    updates = 0
    message = b""
    while time.time() < deadline:
        if args.updates and updates >= args.updates:
            break
        sock.settimeout(max(0.1, deadline - time.time()))
        try:
            frame = read_frame(sock)
        except socket.timeout:
            break
        except OSError as error:
            print(f"{time.time():.3f} reset {error}", file=out)
            break
        if frame is None:
            print(f"{time.time():.3f} eof", file=out)
            break
        fin, opcode, payload = frame
        if opcode == 0x8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            print(f"{time.time():.3f} closed {code}", file=out)
            break
        if opcode == 0x9:
            send_frame(sock, 0xA, payload)
            continue
        if opcode in (0x0, 0x1):
            message += payload
            if not fin:
                continue
            body = json.loads(message)
            message = b""
            kind = body.get("type", "?")
            symbol = body.get("symbol", "")
            print(f"{time.time():.3f} {kind} {symbol}".rstrip(), file=out)
            if kind == "price_update":
                updates += 1
    try:
        send_frame(sock, 0x8, struct.pack("!H", 1000))
        sock.close()
    except OSError:
        pass
    wanted = args.updates or 1
    return 0 if updates >= wanted else 1


if __name__ == "__main__":
    sys.exit(main())
