#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile "Janus": a WebSocket server (janus-protocol) that answers the
first request (e2call's "create") with something broken, then stays silent.

Usage: hostile-router.py MODE PORT_FILE
Listens on 127.0.0.1 on an ephemeral port, writes the port to PORT_FILE,
and serves connections until killed. Modes (see MODES below) cover the
handshake, the framing and the JSON a client has to survive.

Python standard library only; the framing follows RFC 6455.
"""
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(payload, opcode=0x1, fin=True, length=None):
    """A server frame (unmasked). length overrides the announced length."""
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


def text(obj_or_str):
    if isinstance(obj_or_str, (bytes, bytearray)):
        return frame(bytes(obj_or_str))
    if not isinstance(obj_or_str, str):
        obj_or_str = json.dumps(obj_or_str)
    return frame(obj_or_str.encode())


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("client closed")
        buf += chunk
    return buf


def read_message(conn):
    """One client message (text or binary), answering pings; None on close."""
    data = b""
    while True:
        b0, b1 = read_exact(conn, 2)
        opcode, fin = b0 & 0x0F, b0 & 0x80
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", read_exact(conn, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", read_exact(conn, 8))[0]
        mask = read_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(read_exact(conn, n)))
        if opcode == 0x8:
            return None
        if opcode == 0x9:
            conn.sendall(frame(payload, opcode=0xA))
            continue
        if opcode == 0xA:
            continue
        data += payload
        if fin:
            return data


def handshake(conn, reply=None):
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("client closed during the handshake")
        req += chunk
    key = b""
    for line in req.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    if reply is None:
        reply = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                 b"\r\nSec-WebSocket-Protocol: janus-protocol\r\n\r\n")
    conn.sendall(reply)


def silent(conn):
    """Read and drop whatever comes, until the client goes."""
    try:
        while read_message(conn) is not None:
            pass
    except (ConnectionError, OSError):
        pass


def success(tr, data_id):
    return {"janus": "success", "transaction": tr, "data": {"id": data_id}}


def forever(conn, chunk):
    """Send chunk until the client goes away."""
    try:
        while True:
            conn.sendall(chunk)
    except OSError:
        pass


# Each mode: fn(conn, transaction of the first request). The handshake is done.
MODES = {
    # JSON a parser has to refuse
    "garbage": lambda c, tr: c.sendall(text("}{ this is not JSON \x01")),
    "not-object": lambda c, tr: c.sendall(text([1, 2, {"janus": "success"}])),
    "deep-nesting": lambda c, tr: c.sendall(text("[" * 100000 + "]" * 100000)),
    "invalid-utf8": lambda c, tr: c.sendall(
        text(b'{"janus":"success","transaction":"' + tr.encode() + b'","data":{"id":\xff\xfe}}')),
    "nul-in-json": lambda c, tr: c.sendall(
        text(b'{"janus":"success","transaction":"' + tr.encode() + b'\x00","data":{"id":1}}')),
    # well-formed JSON of the wrong shape
    "wrong-types": lambda c, tr: c.sendall(
        text({"janus": "success", "transaction": tr, "data": {"id": "12345"}})),
    "no-data": lambda c, tr: c.sendall(text({"janus": "success", "transaction": tr})),
    "data-null": lambda c, tr: c.sendall(text({"janus": "success", "transaction": tr, "data": None})),
    "janus-number": lambda c, tr: c.sendall(text({"janus": 7, "transaction": tr})),
    "transaction-number": lambda c, tr: c.sendall(text({"janus": "success", "transaction": 1,
                                                        "data": {"id": 1}})),
    "huge-id": lambda c, tr: c.sendall(text('{"janus":"success","transaction":"%s",'
                                            '"data":{"id":18446744073709551616}}' % tr)),
    "negative-id": lambda c, tr: c.sendall(text(success(tr, -1))),
    "zero-id": lambda c, tr: c.sendall(text(success(tr, 0))),
    "float-id": lambda c, tr: c.sendall(text(success(tr, 1.5))),
    "error-reply": lambda c, tr: c.sendall(
        text({"janus": "error", "transaction": tr, "error": {"code": 490, "reason": "x" * 5000}})),
    # a reason that would drive a terminal and forge a second event line
    "error-escape": lambda c, tr: c.sendall(
        text({"janus": "error", "transaction": tr,
              "error": {"code": 490, "reason": "\x1b[2J\x1b]0;owned\x07\r\n00:00:00.000 "
                                               "media-check passed=true\u009b31m"}})),
    "error-wrong-types": lambda c, tr: c.sendall(
        text({"janus": "error", "transaction": tr, "error": {"code": "490", "reason": 5}})),
    "other-transaction": lambda c, tr: c.sendall(text(success(tr + "-not-yours", 1))),
    "binary-frame": lambda c, tr: c.sendall(frame(json.dumps(success(tr, 1)).encode(), opcode=0x2)),
    # framing
    "close-mid-message": lambda c, tr: (c.sendall(frame(b'{"janus":"succ', length=1000)),
                                        c.shutdown(socket.SHUT_RDWR)),
    "close-mid-header": lambda c, tr: (c.sendall(b"\x81\x7f\x00\x00"), c.shutdown(socket.SHUT_RDWR)),
    "never-final": lambda c, tr: forever_fragments(c),
    "endless-frame": lambda c, tr: (c.sendall(frame(b"", length=1 << 40)[:10]),
                                    forever(c, b"x" * 65536)),
    "reserved-opcode": lambda c, tr: c.sendall(frame(b"hello", opcode=0x3)),
    "event-flood": lambda c, tr: forever(
        c, text({"janus": "event", "session_id": 1, "sender": 2, "transaction": "nobody"}) * 64),
    "ping-flood": lambda c, tr: forever(c, frame(b"ping", opcode=0x9) * 256),
    "close-frame": lambda c, tr: c.sendall(frame(struct.pack(">H", 4999) + b"bye", opcode=0x8)),
    "reset": lambda c, tr: (c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                         struct.pack("ii", 1, 0)), c.close()),
}

# Modes that break the handshake itself: fn(conn) instead of the handshake.
HANDSHAKE_MODES = {
    "http-404": lambda c: handshake(c, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    "http-garbage": lambda c: handshake(c, b"\x00\xff garbage\r\n\r\n"),
    "no-subprotocol": lambda c: handshake(
        c, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"),
    "silent-handshake": lambda c: silent_raw(c),
}


def forever_fragments(conn):
    """A text message that never ends: fragments, none of them final."""
    try:
        conn.sendall(frame(b"[", fin=False))
        cont = frame(b"1," * 8000, opcode=0x0, fin=False)
        while True:
            conn.sendall(cont)
    except OSError:
        pass


def silent_raw(conn):
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def serve(conn, mode):
    try:
        if mode in HANDSHAKE_MODES:
            HANDSHAKE_MODES[mode](conn)
            silent_raw(conn)
            return
        handshake(conn)
        first = read_message(conn)
        if first is None:
            return
        try:
            tr = json.loads(first).get("transaction", "")
        except ValueError:
            tr = ""
        MODES[mode](conn, str(tr))
        silent(conn)
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    if len(sys.argv) != 3 or (sys.argv[1] not in MODES and sys.argv[1] not in HANDSHAKE_MODES):
        names = " ".join(sorted(list(MODES) + list(HANDSHAKE_MODES)))
        print(f"usage: hostile-router.py MODE PORT_FILE\nmodes: {names}", file=sys.stderr)
        return 2
    mode, port_file = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, port_file)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print(" ".join(sorted(list(MODES) + list(HANDSHAKE_MODES))))
        sys.exit(0)
    sys.exit(main())
