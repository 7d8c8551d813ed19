#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A TLS server on 127.0.0.1 for wss:// tests: completes the TLS handshake
with the certificate given, reads what the client sends first (its
WebSocket upgrade) and closes without answering. Whatever e2call reports
then is about the WebSocket, not TLS.

Usage: tls-server.py CERT KEY PORT_FILE
Listens on an ephemeral port, writes it to PORT_FILE, serves until killed.
Python standard library only.
"""
import os
import socket
import ssl
import sys


def main():
    cert, key, port_file = sys.argv[1:4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, port_file)
    while True:
        conn, _ = srv.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(4096)
        except (ssl.SSLError, OSError):
            conn.close()


if __name__ == "__main__":
    main()
