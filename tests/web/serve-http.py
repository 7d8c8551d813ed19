#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`e2call web serve` as a browser meets it, over HTTP on 127.0.0.1.

Usage: serve-http.py E2CALL SOURCE_ROOT

It serves a copy of SOURCE_ROOT/src/web (E2CALL_WEB_DIR) whose parent holds
a file that must never be served, and checks:
  - the printed address (and its ?server= from --server or $E2CALL_SERVER);
  - / and /index.html (with and without a query) give the page;
  - every file the page loads, found by following index.html's script and
    stylesheet and the modules' imports and worker URLs from what is served
    (no list kept here), is served byte for byte with a MIME type browsers
    accept for it (a module script with another one is refused), and every
    module in the directory is reached that way;
  - every response carries the cross-origin isolation headers;
  - unknown paths give 404, and no traversal (dot segments, encoded dots
    and slashes, doubled slashes, backslashes, NUL) serves anything from
    outside the directory;
  - it listens on the address given and nowhere else (localhost is
    127.0.0.1; an address of no interface here fails);
  - bad flags exit 2 with a message naming the flag (--listen takes a
    numeric IPv4 address or localhost); a port in use exits 1;
  - SIGINT and SIGTERM end it with status 0, as soon as the address is
    printed, and with clients connected.
Python's standard library only; nothing but 127.0.0.1.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

# Not a bound on speed: how long a step may take before it counts as a hang.
HANG = 20
MARKER = "e2call-serve-test-outside-the-web-directory"
JS_TYPES = {"text/javascript", "application/javascript", "application/x-javascript",
            "text/ecmascript", "application/ecmascript"}

failures = []


def check(cond, what):
    if cond:
        print(f"ok: {what}")
    else:
        print(f"FAIL: {what}")
        failures.append(what)
    return cond


def free_port():
    """A port nothing listens on now (web serve takes no port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `e2call web serve`, its "open" line read from its output."""

    def __init__(self, e2call, args, env):
        self.proc = None
        for _ in range(5):  # another program may take the free port first
            port = free_port()
            self.proc = subprocess.Popen([e2call, "web", "serve", "--listen",
                                          f"127.0.0.1:{port}"] + args,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         env=env, text=True)
            self.out = []
            deadline = time.monotonic() + HANG
            while time.monotonic() < deadline:
                line = self.proc.stdout.readline()
                if not line:
                    break
                self.out.append(line)
                if line.startswith("open "):
                    self.url = line.split(None, 1)[1].strip()
                    self.port = port
                    return
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            if "cannot listen" not in err:
                raise RuntimeError(f"web serve printed no address: {''.join(self.out)}{err}")
        raise RuntimeError("web serve found no free port in 5 tries")

    def stop(self, sig=signal.SIGTERM):
        """Sends SIG; its exit status, or None when it did not end in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(HANG)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
        finally:
            self.proc.stdout.close()
            self.proc.stderr.close()


def request(port, target, method="GET"):
    """Sends TARGET exactly as written (no client-side normalisation):
    (status, headers with lower-case names, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG) as s:
        s.sendall(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  "Connection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise RuntimeError(f"{target}: not an HTTP response: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", ""):
        body = unchunk(body)
    return int(m.group(1)), headers, body


def unchunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out


def mime(headers):
    return headers.get("content-type", "").split(";")[0].strip().lower()


def isolated(headers):
    return (headers.get("cross-origin-opener-policy") == "same-origin" and
            headers.get("cross-origin-embedder-policy") == "require-corp")


# What a page or module loads. Comments are dropped first, so an import in
# one does not count; the patterns are the forms the modules use: static
# imports and re-exports, dynamic import(), and new URL('...', import.meta.url)
# (the worker).
JS_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:'\"\\])//[^\n]*", re.S)
JS_REFS = [
    re.compile(r"\bimport\s*(?:[\w*{}\s,$]+\sfrom\s*)?['\"]([^'\"]+)['\"]"),
    re.compile(r"\bexport\s*[\w*{}\s,$]*\sfrom\s*['\"]([^'\"]+)['\"]"),
    re.compile(r"\bimport\s*\(\s*['\"]([^'\"]+)['\"]\s*\)"),
    re.compile(r"new\s+URL\(\s*['\"]([^'\"]+)['\"]\s*,\s*import\.meta\.url\s*\)"),
]
HTML_REFS = [
    (re.compile(r"<script\b[^>]*\btype=['\"]?module['\"]?[^>]*\bsrc=['\"]?([^'\" >]+)", re.I),
     "module"),
    (re.compile(r"<script\b[^>]*\bsrc=['\"]?([^'\" >]+)[^>]*\btype=['\"]?module", re.I),
     "module"),
    (re.compile(r"<link\b[^>]*\bhref=['\"]?([^'\" >]+)", re.I), "style"),
]


def crawl(port):
    """Every file reachable from /index.html as the browser asks for it:
    {path: (kind, status, headers, body)}."""
    seen = {}
    todo = [("/index.html", "html")]
    while todo:
        path, kind = todo.pop()
        if path in seen:
            continue
        status, headers, body = request(port, path)
        seen[path] = (kind, status, headers, body)
        if status != 200:
            continue
        text = body.decode("utf-8", "replace")
        refs = []
        if kind == "html":
            for rx, k in HTML_REFS:
                refs += [(r, k) for r in rx.findall(text)]
        elif kind == "module":
            code = JS_COMMENTS.sub("", text)
            for rx in JS_REFS:
                refs += [(r, "module") for r in rx.findall(code)]
        for ref, k in refs:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(f"http://h{path}", ref))
            if target.netloc != "h":
                check(False, f"{path} loads {ref} from another origin")
                continue
            todo.append((target.path, k))
    return seen


def listeners(port):
    """The local addresses of the sockets listening on PORT (this network
    namespace's, from /proc/net: no packet sent)."""
    found = []
    for proto in ("tcp", "tcp6"):
        with open(f"/proc/net/{proto}") as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, _, p = local.partition(":")
                if state != "0A" or int(p, 16) != port:
                    continue
                raw = bytes.fromhex(addr)
                # /proc/net prints each 32-bit word in host (little-endian) order
                raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                family = socket.AF_INET if proto == "tcp" else socket.AF_INET6
                found.append(socket.inet_ntop(family, raw))
    return found


def test_listen(e2call, env):
    """It listens where it says, and only there: an address for this machine
    alone must not reach the others."""
    for given, printed in [("127.0.0.1", "127.0.0.1"), ("localhost", "127.0.0.1")]:
        port = free_port()
        p = subprocess.Popen([e2call, "web", "serve", "--listen", f"{given}:{port}"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = ""
        while not line.startswith("open ") and p.poll() is None:
            line = p.stdout.readline()
        got = listeners(port)
        check(line.strip() == f"open http://{printed}:{port}/" and
              got in (["127.0.0.1"], ["::ffff:127.0.0.1"]),
              f"--listen {given}:PORT: {line.strip() or 'no address'}, listening on {got}")
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=HANG)
    # An address of no interface here (TEST-NET-3): the bind fails, and
    # nothing listens anywhere in its place.
    port = free_port()
    try:
        r = subprocess.run([e2call, "web", "serve", "--listen", f"203.0.113.7:{port}"], env=env,
                           capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired as e:  # serving all the same, on some address
        r = subprocess.CompletedProcess(e.cmd, None, e.stdout or "", e.stderr or "")
        r.stdout, r.stderr = [x.decode() if isinstance(x, bytes) else x for x in (r.stdout, r.stderr)]
    check(r.returncode == 1 and "cannot listen" in r.stderr and "open " not in r.stdout,
          f"--listen 203.0.113.7:PORT (not here): exit {r.returncode}, "
          f"{r.stderr.strip().splitlines()[-1:] or ''}")


def test_page(port, served):
    for target in ["/", "/index.html", "/?server=ws%3A%2F%2F127.0.0.1%3A8188%2F",
                   "/index.html?room=1234"]:
        status, headers, body = request(port, target)
        check(status == 200 and body == served["index.html"] and mime(headers) == "text/html",
              f"{target}: the page ({status}, {mime(headers) or 'no type'})")
        check(isolated(headers), f"{target}: cross-origin isolation headers")
    status, headers, body = request(port, "/index.html", "HEAD")
    check(status == 200 and body == b"", f"HEAD /index.html: {status}, no body")


def test_modules(port, web):
    found = crawl(port)
    modules = 0
    for path, (kind, status, headers, body) in sorted(found.items()):
        rel = path.lstrip("/")
        want = {"html": {"text/html"}, "style": {"text/css"}, "module": JS_TYPES}[kind]
        on_disk = os.path.join(web, rel)
        same = os.path.isfile(on_disk) and open(on_disk, "rb").read() == body
        check(status == 200 and same, f"{path} ({kind}): served as it is ({status})")
        check(mime(headers) in want, f"{path}: MIME type {mime(headers) or 'none'}")
        check(isolated(headers), f"{path}: cross-origin isolation headers")
        modules += kind == "module"
    # The crawl saw what the directory holds: a module nothing imports would
    # be installed yet never run, and an import the patterns above miss
    # would leave one out here.
    for name in sorted(os.listdir(web)):
        if name.endswith(".js"):
            check(f"/{name}" in found, f"{name} is reached from index.html")
    check(modules >= 2 and "/worker.js" in found,
          f"the crawl followed {modules} modules, the worker among them")


def test_not_found(port):
    for target in ["/nothere.js", "/nothere/", "/index.html/x", "/.git/config", "/e2call"]:
        status, headers, body = request(port, target)
        check(status == 404, f"{target}: {status}, expected 404")
        check(isolated(headers), f"{target}: cross-origin isolation headers on the 404")


def test_traversal(port, served):
    targets = [
        "/../outside.txt", "/../../../../../../etc/passwd", "/./../outside.txt",
        "/index.html/../../outside.txt", "/%2e%2e/outside.txt", "/%2E%2E/outside.txt",
        "/.%2e/outside.txt", "/%2e./outside.txt", "/..%2foutside.txt", "/..%2Foutside.txt",
        "/%2e%2e%2foutside.txt", "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/%252e%252e/outside.txt", "/..%252foutside.txt", "//etc/passwd", "///etc/passwd",
        "/%2fetc%2fpasswd", "/%2Fetc/passwd", "/..\\outside.txt", "/..%5coutside.txt",
        "/%c0%ae%c0%ae/outside.txt", "/....//outside.txt", "/..;/outside.txt",
        "/index.html%00.js", "/%00/../outside.txt", "../outside.txt", "/..", "/../",
        "http://127.0.0.1/../outside.txt",
    ]
    inside = set(served.values())
    for target in targets:
        try:
            status, _, body = request(port, target)
        except (OSError, RuntimeError) as e:  # a closed connection leaks nothing
            check(True, f"{target}: no answer ({e})")
            continue
        leaked = MARKER.encode() in body or b"root:x:0:0" in body
        # Anything served must be a file of the directory (a server may
        # normalise /a/../index.html to /index.html).
        check(not leaked and (status != 200 or body in inside),
              f"{target}: {status}, nothing from outside the directory")
    status, _, _ = request(port, "/index.html")
    check(status == 200, "still serving after the traversal attempts")


def test_address(e2call, env):
    url = "ws://127.0.0.1:8188/janus?x=1&y=2"
    for args, extra, want in [([], {}, None), (["--server", url], {}, url),
                              ([], {"E2CALL_SERVER": "wss://example.invalid/"},
                               "wss://example.invalid/")]:
        s = Server(e2call, args, dict(env, **extra))
        parts = urllib.parse.urlsplit(s.url)
        query = urllib.parse.parse_qs(parts.query)
        got = query.get("server", [None])[0]
        check(parts.scheme == "http" and parts.hostname == "127.0.0.1" and
              parts.port == s.port and parts.path == "/",
              f"{' '.join(args) or 'no --server'}{' $E2CALL_SERVER' if extra else ''}: "
              f"the address {s.url}")
        check(got == want and (want is not None or parts.query == ""),
              f"  proposes the router {got}")
        if want:
            status, _, _ = request(s.port, f"{parts.path}?{parts.query}")
            check(status == 200, "  the printed address serves the page")
        check(s.stop() == 0, "  SIGTERM: exit status 0")


def test_bad_flags(e2call, env):
    port = free_port()
    cases = [
        (["--listen", "127.0.0.1"], "--listen"), (["--listen", "127.0.0.1:"], "--listen"),
        (["--listen", f":{port}"], "--listen"), (["--listen", "127.0.0.1:0"], "--listen"),
        (["--listen", "127.0.0.1:70000"], "--listen"), (["--listen", "127.0.0.1:abc"], "--listen"),
        (["--listen", "127.0.0.1:-1"], "--listen"), (["--listen", "127.0.0.1:80x"], "--listen"),
        (["--listen", f"foo:{port}"], "--listen"), (["--listen", f"1.2.3:{port}"], "--listen"),
        (["--listen", f"[::1]:{port}"], "--listen"), (["--listen", f"lo:{port}"], "--listen"),
        (["--listen", f"127.0.0.1 :{port}"], "--listen"),
        (["--server", "http://x"], "--server"), (["--server", "x"], "--server"),
        (["--listen", f"127.0.0.1:{port}", "--listen", f"127.0.0.1:{port}"], "--listen"),
        (["extra"], "extra"), (["--no-such-flag"], "--no-such-flag"),
    ]
    for args, name in cases:
        try:
            r = subprocess.run([e2call, "web", "serve"] + args, env=env, capture_output=True,
                               text=True, timeout=HANG)
        except subprocess.TimeoutExpired:
            check(False, f"web serve {' '.join(args)}: still running (serving?)")
            continue
        check(r.returncode == 2 and name in r.stderr and "open " not in r.stdout,
              f"web serve {' '.join(args)}: exit {r.returncode}, {r.stderr.strip()!r}")
    # A port another program listens on.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        p = busy.getsockname()[1]
        r = subprocess.run([e2call, "web", "serve", "--listen", f"127.0.0.1:{p}"], env=env,
                           capture_output=True, text=True, timeout=HANG)
        check(r.returncode == 1 and "cannot listen" in r.stderr and "open " not in r.stdout,
              f"a port in use: exit {r.returncode}, {r.stderr.strip()!r}")
    # No page to serve.
    empty = tempfile.mkdtemp(prefix="e2c-serve-empty-")
    try:
        r = subprocess.run([e2call, "web", "serve"], env=dict(env, E2CALL_WEB_DIR=empty),
                           capture_output=True, text=True, timeout=HANG)
        check(r.returncode == 7 and "index.html" in r.stderr,
              f"no page installed: exit {r.returncode}, {r.stderr.strip()!r}")
    finally:
        os.rmdir(empty)


def test_signals(e2call, env):
    # The printed address says it serves: a signal from then on ends it
    # cleanly (a supervisor that waits for the line and stops it at once).
    statuses = []
    for i in range(10):
        sig = (signal.SIGINT, signal.SIGTERM)[i % 2]
        statuses.append(Server(e2call, [], env).stop(sig))
    check(statuses == [0] * 10,
          f"SIGINT or SIGTERM right after the address is printed: statuses {statuses}")
    for sig in (signal.SIGINT, signal.SIGTERM):
        s = Server(e2call, [], env)
        # A client in the middle of a request, and one idle after a
        # kept-alive response: neither may keep it from ending.
        partial = socket.create_connection(("127.0.0.1", s.port))
        partial.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")
        idle = socket.create_connection(("127.0.0.1", s.port))
        idle.sendall(b"GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.settimeout(HANG)
        check(idle.recv(12).startswith(b"HTTP/1.1 200"), f"{sig.name}: a kept-alive response")
        status = s.stop(sig)
        partial.close()
        idle.close()
        check(status == 0, f"{sig.name} with clients connected: exit status {status}")


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.split("\n\n")[1])
        return 0 if len(sys.argv) == 2 else 2
    e2call, root = sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="e2c-serve-")
    try:
        web = os.path.join(tmp, "web")
        shutil.copytree(os.path.join(root, "src", "web"), web)
        for name in ("outside.txt", "web.txt"):  # next to the directory, and a prefix of it
            with open(os.path.join(tmp, name), "w") as f:
                f.write(MARKER + "\n")
        served = {n: open(os.path.join(web, n), "rb").read() for n in os.listdir(web)}
        env = dict(os.environ, E2CALL_WEB_DIR=web)
        env.pop("E2CALL_SERVER", None)
        s = Server(e2call, [], env)
        try:
            test_page(s.port, served)
            test_modules(s.port, web)
            test_not_found(s.port)
            test_traversal(s.port, served)
        finally:
            check(s.stop() == 0, "the server ends with status 0 on SIGTERM")
        test_listen(e2call, env)
        test_address(e2call, env)
        test_bad_flags(e2call, env)
        test_signals(e2call, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed:")
        for f in failures:
            print(f"  {f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
