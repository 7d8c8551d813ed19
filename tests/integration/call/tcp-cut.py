#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A TCP relay for fault tests: LISTEN_PORT -> 127.0.0.1:TARGET_PORT. On SIGUSR1
it resets every connection it relays (the WebSocket to the router is cut),
and keeps accepting new ones. Prints "ready" once listening."""
import os
import selectors
import signal
import socket
import struct
import sys

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()
pairs = {}
cut = False


def on_usr1(signum, frame):
    global cut
    cut = True


signal.signal(signal.SIGUSR1, on_usr1)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(64)
srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
print("ready", flush=True)


def close(s):
    peer = pairs.pop(s, None)
    for x in (s, peer):
        if x is None:
            continue
        pairs.pop(x, None)
        try:
            sel.unregister(x)
        except (KeyError, ValueError):
            pass
        x.close()


while True:
    if cut:
        cut = False
        for s in list(pairs):
            if s.fileno() < 0:
                continue  # closed already, as the peer of an earlier one
            # SO_LINGER 0: a reset, as when a middlebox drops the connection.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            close(s)
    try:
        events = sel.select(0.1)
    except InterruptedError:
        continue
    for key, _ in events:
        s = key.fileobj
        if s is srv:
            c, _ = srv.accept()
            t = socket.create_connection(("127.0.0.1", target_port))
            pairs[c], pairs[t] = t, c
            sel.register(c, selectors.EVENT_READ)
            sel.register(t, selectors.EVENT_READ)
            continue
        if s not in pairs:
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            close(s)
        else:
            pairs[s].sendall(data)
