#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drive one headless Chromium receiver on Janus's VideoRoom demo page.

Used by tests/bench/chromium-bench.sh (inside `scripts/lab run`); Python
standard library only. It serves a temporary copy of the demo folder of
Debian's janus-demos package on 127.0.0.1 (only settings.js is rewritten, to
point at the lab's Janus), starts Chromium with the DevTools protocol on a
pipe (--remote-debugging-pipe: fds 3 and 4, no TCP port), opens
videoroomtest.html?room=ROOM&subscriber-mode=true, presses Start, fills a
display name and presses "Join the room", the way a person would. In
subscriber mode the demo joins without publishing: no camera, no microphone.

Once every expected feed decodes (video element videoWidth > 0 and
framesDecoded > 0 in getStats), it measures for SECONDS: the CPU time
(utime + stime + cutime + cstime, from /proc) of Chromium's whole process tree,
and of every process tree given with --also NAME=PID, sampled at the start
and at the end of the same window, and the frames each feed decoded in it.

It prints one JSON object on standard output and exits 0 only when every
expected feed decoded frames during the window; 1 when it did not; 2 on usage
errors; 3 when the page could not be driven (the reason is on stderr).
"""

import argparse
import base64
import fcntl
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

DEMOS = "/usr/share/janus/demos"
PAGE = "videoroomtest.html"
HZ = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"chromium-drive: {msg}", file=sys.stderr, flush=True)


# ---- /proc -----------------------------------------------------------------

def proc_table():
    """pid -> (ppid, ticks, comm) for every process, ticks = utime + stime +
    cutime + cstime (children that exited and were reaped stay counted)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                s = f.read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rindex(")")]
        fields = s[s.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): ppid is field 4, utime..cstime 14..17
        table[int(name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]), comm)
    return table


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def tree(table, root, marker=None):
    """root and all its descendants; with MARKER, also every process whose
    command line holds it, and their descendants (Chromium's crash handler
    forks twice and starts a session of its own, leaving the tree, but names
    Chromium's temporary HOME, where its crash database is, in its
    arguments)."""
    kids = {}
    for pid, (ppid, _, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    todo = [root]
    if marker:
        todo += [p for p in table if p != root and marker in cmdline(p)]
    out = set()
    while todo:
        p = todo.pop()
        if p in table and p not in out:
            out.add(p)
            todo.extend(kids.get(p, []))
    return sorted(out)


def tree_ticks(table, root, marker=None):
    pids = tree(table, root, marker)
    return sum(table[p][1] for p in pids), pids


# ---- DevTools protocol over --remote-debugging-pipe --------------------------

class CDP:
    """Messages are JSON texts, each ended by a NUL byte."""

    def __init__(self, wfd, rfd):
        self.w = os.fdopen(wfd, "wb", buffering=0)
        self.r = os.fdopen(rfd, "rb", buffering=0)
        self.next_id = 0
        self.lock = threading.Lock()
        self.waiting = {}
        self.closed = False
        self.events = []
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        buf = b""
        while True:
            try:
                chunk = self.r.read(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if "id" in msg:
                    with self.lock:
                        slot = self.waiting.pop(msg["id"], None)
                    if slot:
                        slot[1] = msg
                        slot[0].set()
                elif msg.get("method") in ("Target.targetCrashed", "Inspector.targetCrashed",
                                           "Target.detachedFromTarget"):
                    self.events.append(msg)
        self.closed = True
        with self.lock:
            for slot in self.waiting.values():
                slot[0].set()
            self.waiting.clear()

    def call(self, method, params=None, session=None, timeout=30):
        with self.lock:
            self.next_id += 1
            mid = self.next_id
            slot = [threading.Event(), None]
            self.waiting[mid] = slot
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            self.w.write(json.dumps(msg).encode() + b"\0")
        except OSError as e:
            raise RuntimeError(f"{method}: Chromium's pipe is closed ({e})")
        if not slot[0].wait(timeout):
            raise RuntimeError(f"{method}: no answer within {timeout} s")
        if slot[1] is None:
            raise RuntimeError(f"{method}: Chromium closed the DevTools pipe")
        if "error" in slot[1]:
            raise RuntimeError(f"{method}: {slot[1]['error'].get('message')}")
        return slot[1].get("result", {})


class Page:
    def __init__(self, cdp, session):
        self.cdp, self.session = cdp, session

    def eval(self, expr, timeout=30):
        r = self.cdp.call("Runtime.evaluate", {"expression": expr, "awaitPromise": True,
                                               "returnByValue": True}, self.session, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise RuntimeError("page: " + (d.get("exception", {}).get("description")
                                           or d.get("text", "exception")))
        return r.get("result", {}).get("value")

    def wait_for(self, expr, what, timeout):
        deadline = time.monotonic() + timeout
        while True:
            v = self.eval(expr)
            if v:
                return v
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.25)


# What the page receives: per subscription (one PeerConnection per feed in this
# demo), the video frames decoded, the size, the decoder, and whether the
# demo's own publisher handle has a PeerConnection (it publishes) or not.
STATS_JS = r"""
(async () => {
  const out = [];
  const list = (typeof feeds !== 'undefined') ? feeds : [];
  for (const f of list) {
    if (!f || !f.webrtcStuff || !f.webrtcStuff.pc) continue;
    const pc = f.webrtcStuff.pc;
    const st = await pc.getStats();
    const s = {feed: f.rfdisplay, slot: f.rfindex, framesDecoded: 0, frameWidth: 0,
               frameHeight: 0, audioSamples: 0, decoder: '', codec: '',
               ice: pc.iceConnectionState, videoWidth: 0, videoHeight: 0};
    const codecs = {};
    st.forEach(r => { if (r.type === 'codec') codecs[r.id] = r.mimeType; });
    st.forEach(r => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video') {
        s.framesDecoded += r.framesDecoded || 0;
        s.frameWidth = r.frameWidth || s.frameWidth;
        s.frameHeight = r.frameHeight || s.frameHeight;
        s.decoder = r.decoderImplementation || s.decoder;
        s.codec = codecs[r.codecId] || s.codec;
      } else if (r.kind === 'audio') {
        s.audioSamples += r.totalSamplesReceived || 0;
      }
    });
    const v = document.querySelector('#videoremote' + f.rfindex + ' video');
    if (v) { s.videoWidth = v.videoWidth; s.videoHeight = v.videoHeight; }
    out.push(s);
  }
  const pub = (typeof sfutest !== 'undefined' && sfutest && sfutest.webrtcStuff &&
               sfutest.webrtcStuff.pc) ? true : false;
  return {feeds: out, publishing: pub,
          subscriberMode: (typeof subscriber_mode !== 'undefined') ? subscriber_mode : null};
})()
"""


def ready_js(n):
    return (f"({STATS_JS.strip()}).then(s => s.feeds.filter(f => f.videoWidth > 0 && "
            f"f.framesDecoded > 0).length >= {n} ? s : null)")


# ---- the demo folder -----------------------------------------------------------

def demo_copy(demos, server):
    """A temporary folder of symbolic links to the demo files, with our own
    settings.js. The Debian package refers to its scripts and styles through
    javascript/ (-> /usr/share/javascript, the libjs-* packages) and
    fonts/font-awesome: nothing is loaded from anywhere but this folder."""
    d = tempfile.mkdtemp(prefix="e2c-demos-")
    for name in os.listdir(demos):
        if name == "settings.js":
            continue
        os.symlink(os.path.realpath(os.path.join(demos, name)), os.path.join(d, name))
    with open(os.path.join(d, "settings.js"), "w") as f:
        f.write("// Written by tests/bench/chromium-drive.py: the lab's Janus, no STUN/TURN.\n"
                f"var server = {json.dumps(server)};\n"
                "var iceServers = [];\n"
                "var token = null;\n"
                "var apisecret = null;\n")
    return d


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, fmt, *args):
        QuietHandler.requests.append(fmt % args)


def serve(folder):
    handler = functools.partial(QuietHandler, directory=folder)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


# ---- Chromium ------------------------------------------------------------------

def chromium_args(binary, profile):
    return [
        binary,
        "--headless=new",
        "--no-sandbox",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
        # Nothing but 127.0.0.1: no background requests, no updates, no
        # name resolution (the lab's namespace has no route out either).
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-domain-reliability",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--no-pings",
        "--metrics-recording-only",
        "--disable-breakpad",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}",
        "--remote-debugging-pipe",
        "about:blank",
    ]


def start_chromium(binary, home, logfile):
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()
    # Above any fd the child may already use, then onto 3 and 4 in the child.
    hi_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 50)
    hi_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 50)
    os.close(to_chrome_r)
    os.close(from_chrome_w)

    def child():
        os.dup2(hi_r, 3)
        os.dup2(hi_w, 4)
        os.setpgid(0, 0)

    # HOME and the XDG folders in the temporary folder too: nothing is
    # written to the user's, and the crash handler's --database names it.
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/.config",
               XDG_CACHE_HOME=f"{home}/.cache", DBUS_SESSION_BUS_ADDRESS="disabled:")
    proc = subprocess.Popen(chromium_args(binary, f"{home}/profile"), stdin=subprocess.DEVNULL,
                            stdout=logfile, stderr=logfile, preexec_fn=child,
                            pass_fds=(3, 4), env=env)
    os.close(hi_r)
    os.close(hi_w)
    return proc, CDP(to_chrome_w, from_chrome_r)


def stop_chromium(proc, cdp, home):
    if proc.poll() is None and cdp and not cdp.closed:
        try:
            cdp.call("Browser.close", timeout=5)
        except RuntimeError:
            pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # Anything of its process group still alive (a stray child): gone too,
    # and so are its crash handlers (a session of their own; see tree()).
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for pid in tree(proc_table(), proc.pid, home):
        if pid != proc.pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


# ---- main ----------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--room", required=True, type=int)
    ap.add_argument("--server", default=os.environ.get("E2CALL_SERVER"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--feeds", type=int, default=4, help="feeds that must decode")
    ap.add_argument("--chromium", default=os.environ.get("E2C_BENCH_CHROMIUM", "chromium"))
    ap.add_argument("--demos", default=DEMOS)
    ap.add_argument("--display", default="chromium")
    ap.add_argument("--join-timeout", type=float, default=60)
    ap.add_argument("--also", action="append", default=[], metavar="NAME=PID",
                    help="also measure this process tree over the same window")
    ap.add_argument("--log", default=os.devnull, help="Chromium's own output")
    ap.add_argument("--screenshot", help="PNG of the page at the end of the window")
    a = ap.parse_args()
    if not a.server:
        ap.error("--server or E2CALL_SERVER is needed")
    also = []
    for item in a.also:
        name, _, pid = item.partition("=")
        if not pid.isdigit():
            ap.error(f"--also {item}: NAME=PID")
        also.append((name, int(pid)))
    if not os.path.isfile(os.path.join(a.demos, PAGE)):
        log(f"no {PAGE} in {a.demos} (install janus-demos)")
        return 3
    binary = shutil.which(a.chromium)
    if not binary:
        log(f"no {a.chromium} (install chromium)")
        return 3

    # The lab (or the bench script) ends us with SIGTERM: still close Chromium.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    folder = demo_copy(a.demos, a.server)
    home = tempfile.mkdtemp(prefix="e2c-chromium-")
    httpd = serve(folder)
    port = httpd.server_address[1]
    url = f"http://127.0.0.1:{port}/{PAGE}?room={a.room}&subscriber-mode=true"
    proc = cdp = None
    status = 3
    try:
        with open(a.log, "ab") as logfile:
            proc, cdp = start_chromium(binary, home, logfile)
        targets = cdp.call("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"]
        if not pages:
            pages = [{"targetId": cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]}]
        session = cdp.call("Target.attachToTarget", {"targetId": pages[0]["targetId"],
                                                     "flatten": True})["sessionId"]
        page = Page(cdp, session)
        cdp.call("Page.enable", session=session)
        cdp.call("Page.navigate", {"url": url}, session)
        t0 = time.monotonic()
        page.wait_for("typeof Janus !== 'undefined' && typeof $ !== 'undefined' && "
                      "Janus.initDone === true && $('#start').length === 1",
                      "the demo page to load", 20)
        page.eval("$('#start').click(); true")
        page.wait_for("$('#username').is(':visible') && !$('#register').attr('disabled')",
                      "the plugin handle (Start)", 20)
        page.eval(f"$('#username').val({json.dumps(a.display)}); $('#register').click(); true")
        try:
            ready = page.wait_for(ready_js(a.feeds), f"{a.feeds} feeds to decode", a.join_timeout)
        except RuntimeError:
            log("the page did not decode every feed; what it had:")
            log(json.dumps(page.eval(STATS_JS)))
            raise
        joined_s = time.monotonic() - t0
        log(f"joined room {a.room} as '{a.display}', {len(ready['feeds'])} feeds decoding "
            f"after {joined_s:.1f} s")

        # The window: CPU of every tree and the frames decoded, at both ends.
        s0 = page.eval(STATS_JS)
        tab0 = proc_table()
        w0, wall0 = time.monotonic(), time.time()
        time.sleep(a.seconds)
        tab1 = proc_table()
        w1, wall1 = time.monotonic(), time.time()
        s1 = page.eval(STATS_JS)
        if a.screenshot:
            png = cdp.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
            with open(a.screenshot, "wb") as f:
                f.write(base64.b64decode(png))

        window = w1 - w0
        c0, _ = tree_ticks(tab0, proc.pid, home)
        c1, pids = tree_ticks(tab1, proc.pid, home)
        # A process of ours that left the tree without naming our folder
        # would escape the sum: name any uncounted Chromium process (another
        # user's Chromium on the same machine shows up here too).
        outside = [f"{p} {v[2]}" for p, v in tab1.items() if p not in pids and
                   (v[2] in ("chromium", "chrome") or v[2].startswith("chrome_"))]
        # Where it goes: per kind of process (--type=renderer, gpu-process,
        # utility:<service>, zygote; the browser; the crash handlers).
        kinds = {}
        for p in pids:
            args = cmdline(p).replace("\0", " ").split()  # Chromium rewrites its argv
            kind = "browser" if p == proc.pid else tab1[p][2]
            for x in args:
                if x.startswith("--type="):
                    kind = x[7:]
                elif x.startswith("--utility-sub-type="):
                    sub = x[19:].split(".")[0]
                    kind = f"utility:{sub}"
            if "crashpad" in tab1[p][2]:
                kind = "crashpad"
            d = tab1[p][1] - tab0.get(p, (0, 0, ""))[1]
            kinds[kind] = kinds.get(kind, 0) + d / HZ
        result = {
            "page": url.replace(f":{port}/", ":PORT/"),
            "window-seconds": round(window, 3),
            "window-start": wall0,
            "window-end": wall1,
            "join-seconds": round(joined_s, 2),
            "publishing": s1["publishing"],
            "subscriber-mode": s1["subscriberMode"],
            "chromium": {"cpu-seconds": (c1 - c0) / HZ, "processes": len(pids),
                         "process-names": sorted({tab1[p][2] for p in pids}),
                         "pids": pids,
                         "by-kind": {k: round(v, 2) for k, v in
                                     sorted(kinds.items(), key=lambda kv: -kv[1])},
                         "uncounted-chrom-processes": outside},
            "also": {},
            "feeds": [],
            "http-requests": len(QuietHandler.requests),
        }
        for name, pid in also:
            b0, _ = tree_ticks(tab0, pid)
            b1, bp = tree_ticks(tab1, pid)
            result["also"][name] = {"pid": pid, "cpu-seconds": (b1 - b0) / HZ,
                                    "alive": pid in tab1, "processes": len(bp)}
        before = {f["feed"]: f for f in s0["feeds"]}
        ok = len(s1["feeds"]) >= a.feeds
        for f in s1["feeds"]:
            d = f["framesDecoded"] - before.get(f["feed"], {}).get("framesDecoded", 0)
            result["feeds"].append({"feed": f["feed"], "frames-decoded": d,
                                    "fps": round(d / window, 2), "codec": f["codec"],
                                    "decoder": f["decoder"],
                                    "size": f"{f['frameWidth']}x{f['frameHeight']}",
                                    "video-element": f"{f['videoWidth']}x{f['videoHeight']}",
                                    "audio-samples-per-s": round(
                                        (f["audioSamples"] - before.get(f["feed"], {})
                                         .get("audioSamples", 0)) / window),
                                    "ice": f["ice"]})
            if d <= 0 or f["videoWidth"] <= 0:
                ok = False
        print(json.dumps(result), flush=True)
        status = 0 if ok else 1
        if not ok:
            log(f"not every one of the {a.feeds} feeds decoded during the window")
    except RuntimeError as e:
        log(str(e))
        status = 3
    finally:
        if proc:
            stop_chromium(proc, cdp, home)
        httpd.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
