#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for hygiene.sh: where could a secret have gone?

  hygiene.py needles SECRET              the forms to look for, one per line (hex)
  hygiene.py grep FILE NEEDLES_FILE      "N" matches of any form in FILE (raw bytes)
  hygiene.py stream FILE NEEDLES_FILE    "N BYTES": the same, reading FILE (a FIFO) to its
                                         end without keeping it (for logs of gigabytes)
  hygiene.py memscan PID NEEDLES_FILE    matches in the process's memory, per mapping
  hygiene.py sniff IFACE OUT SECONDS     capture IFACE (AF_PACKET) until SIGTERM, for at
                                         most SECONDS, or until the parent goes; write the
                                         TCP streams' decoded WebSocket payloads (client
                                         frames unmasked) and UDP payloads to OUT

The forms of a secret: raw UTF-8, hex (both cases), base64 (with and without
padding, and URL-safe), each also with the trailing newline a secret file has.
"""
import base64
import binascii
import collections
import os
import re
import signal
import socket
import struct
import sys
import time


def forms(secret):
    raw = secret.encode()
    out = []
    for s in (raw, raw + b"\n"):
        b64 = base64.b64encode(s)
        out += [s, binascii.hexlify(s), binascii.hexlify(s).upper(), b64, b64.rstrip(b"="),
                base64.urlsafe_b64encode(s).rstrip(b"=")]
    # Base64 of the secret inside a longer string starts at any of 3 offsets:
    # the middle part of each alignment is there whatever surrounds it.
    for shift in (1, 2):
        b64 = base64.b64encode(b"\0" * shift + raw)
        out.append(b64[4:-4])
    seen, uniq = set(), []
    for f in out:
        if len(f) >= 8 and f not in seen:
            seen.add(f)
            uniq.append(f)
    return uniq


def load_needles(path):
    with open(path) as f:
        return [binascii.unhexlify(l.strip()) for l in f if l.strip()]


def count(data, needles):
    return sum(data.count(n) for n in needles)


def new_matches(pieces, needles):
    """The needles' matches in a byte stream read in pieces, each once: a
    piece is searched together with the last bytes of the one before (a
    needle's length less one), and a match lying wholly in those bytes was
    found with that piece. Yields (data, index) per match."""
    keep = max(len(n) for n in needles) - 1
    tail = b""
    for piece in pieces:
        data = tail + piece
        for n in needles:
            i = data.find(n)
            while i >= 0:
                if i + len(n) > len(tail):
                    yield data, i
                i = data.find(n, i + 1)
        tail = data[-keep:] if keep else b""


def stream(path, needles):
    total = 0

    def pieces(f):
        nonlocal total
        while chunk := f.read(1 << 20):
            total += len(chunk)
            yield chunk

    with open(path, "rb") as f:
        hits = sum(1 for _ in new_matches(pieces(f), needles))
    return hits, total


# AddressSanitizer's shadow memory on x86_64 (shadow = (addr >> 3) +
# 0x7fff8000): terabytes of mostly untouched pages that hold poison bytes,
# never data. Reading them would fault in every page.
ASAN_SHADOW = (0x7FFF8000, 0x10007FFF8000)


def sanitizer_environ_copy(data, at):
    """Whether the match at data[at] is a value in the sanitizer runtime's
    copy of the start-up environment: its GetEnv() reads /proc/self/environ
    into a buffer of its own before main() and keeps it (e2call blanks the
    variable where the process got it, which is what /proc/PID/environ
    shows, but cannot reach that copy). Such a match sits right after
    "NAME=", in a run of NUL-separated NAME=VALUE strings that holds the
    runtime's own ASAN_OPTIONS. (The process's own copy, on its stack, is
    never taken for it.)"""
    start = data.rfind(b"\0", 0, at) + 1
    if not re.fullmatch(rb"[A-Za-z_][A-Za-z0-9_]*=", data[start:at]):
        return False
    window = data[max(0, at - 65536):at + 65536]
    return b"\0ASAN_OPTIONS=" in window or window.startswith(b"ASAN_OPTIONS=")


def mapping_pieces(mem, lo, hi):
    """A mapping's bytes, 64 MiB at a time, until one cannot be read."""
    pos = lo
    while pos < hi:
        try:
            mem.seek(pos)
            chunk = mem.read(min(hi - pos, 1 << 26))
        except (OSError, ValueError, OverflowError):
            return
        if not chunk:
            return
        yield chunk
        pos += len(chunk)


def memscan(pid, needles):
    hits = collections.Counter()
    sanitized = os.environ.get("E2C_SANITIZED") == "1"
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5] if len(parts) > 5 else "[anonymous]"
            # A secret can only have been written where the process can write.
            if "r" not in parts[1] or "w" not in parts[1] or name in ("[vvar]", "[vsyscall]"):
                continue
            if sanitized and ASAN_SHADOW[0] <= lo and hi <= ASAN_SHADOW[1]:
                continue
            for data, i in new_matches(mapping_pieces(mem, lo, hi), needles):
                if not (sanitized and name != "[stack]" and sanitizer_environ_copy(data, i)):
                    hits[name] += 1
    return hits


def sniff(iface, out, seconds):
    deadline = time.monotonic() + seconds
    parent = os.getppid()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((iface, 0))
    s.settimeout(0.2)
    running = [True]
    signal.signal(signal.SIGTERM, lambda *a: running.__setitem__(0, False))
    signal.signal(signal.SIGINT, lambda *a: running.__setitem__(0, False))
    # Ready: the caller waits for the file.
    open(out + ".ready", "w").close()
    streams = collections.defaultdict(dict)  # (src, sport, dst, dport) -> {seq: payload}
    udp = []
    while running[0] and time.monotonic() < deadline and os.getppid() == parent:
        try:
            pkt, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue  # on lo every packet is seen twice
        if len(pkt) < 14 + 20 or struct.unpack("!H", pkt[12:14])[0] != 0x0800:
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 0x0F) * 4
        proto = ip[9]
        total = struct.unpack("!H", ip[2:4])[0]
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        l4 = ip[ihl:total]
        if proto == 6 and len(l4) >= 20:
            sport, dport, seq = struct.unpack("!HHI", l4[:8])
            off = (l4[12] >> 4) * 4
            payload = l4[off:]
            if payload:
                streams[(src, sport, dst, dport)][seq] = payload
        elif proto == 17 and len(l4) >= 8:
            udp.append(l4[8:])
    with open(out, "wb") as f:
        for key, segs in streams.items():
            data = b"".join(segs[k] for k in sorted(segs))
            f.write(b"\n--- tcp %s:%d -> %s:%d\n" % (key[0].encode(), key[1], key[2].encode(),
                                                      key[3]))
            f.write(decode_ws(data))
        f.write(b"\n--- udp payloads\n")
        for p in udp:
            f.write(p)


def decode_ws(data):
    """The HTTP handshake as is, then every frame's payload unmasked."""
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"GET ") and not data.startswith(b"HTTP/"):
        return data  # not a WebSocket stream: keep the raw bytes
    out, i = [data[:end + 4]], end + 4
    while i + 2 <= len(data):
        b1 = data[i + 1]
        n, i = b1 & 0x7F, i + 2
        if n == 126:
            n, i = struct.unpack("!H", data[i:i + 2])[0], i + 2
        elif n == 127:
            n, i = struct.unpack("!Q", data[i:i + 8])[0], i + 8
        mask = b"\0\0\0\0"
        if b1 & 0x80:
            mask, i = data[i:i + 4], i + 4
        out.append(bytes(c ^ mask[k % 4] for k, c in enumerate(data[i:i + n])) + b"\n")
        i += n
    return b"".join(out)


def main():
    cmd = sys.argv[1]
    if cmd == "needles":
        for f in forms(sys.argv[2]):
            print(binascii.hexlify(f).decode())
    elif cmd == "grep":
        with open(sys.argv[2], "rb") as f:
            print(count(f.read(), load_needles(sys.argv[3])))
    elif cmd == "stream":
        print("%d %d" % stream(sys.argv[2], load_needles(sys.argv[3])))
    elif cmd == "memscan":
        hits = memscan(sys.argv[2], load_needles(sys.argv[3]))
        print(" ".join(f"{k}:{v}" for k, v in sorted(hits.items())) or "none")
    elif cmd == "sniff":
        sniff(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
