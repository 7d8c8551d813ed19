#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A person on the page `e2call web serve` serves, in headless Chromium.

Usage: serve-page.py --url URL --server URL --room ID --secret-file PATH
                     --remote NAME --display NAME --work DIR [--timeout S]

Used by serve.sh (inside `scripts/lab run`). It starts Chromium with the
flags of `e2call web join` (src/cli/cmd-web-chromium.c) and the DevTools
protocol on a pipe (the CDP class of tests/bench/chromium-drive.py), opens
URL (the address web serve printed) and checks that the modules loaded,
the page is cross-origin isolated and its router field holds SERVER (from
the address). Then it does what a person does: clicks the room, name and
secret fields and types into them, and clicks Join. Once the page has
joined and published, the join form must be gone from the screen (the
secret field emptied) and rekey and leave shown, and it prints "joined".
Then it reads the page: the tile of the participant REMOTE must say that
its video and audio are decrypting, with frames, and verified; it saves a
screenshot (DIR/page.png), prints "decrypting", waits for REMOTE to leave,
checks the page's own summary, clicks Leave and closes Chromium. The
page's events are kept in DIR/page-events.json. The secret is read from
PATH and never printed; it must not be in the page, its address or events.

Exit status: 0 when every check passed, 1 when one failed (the reason on
stderr), 3 when the page could not be driven.
"""

import argparse
import base64
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "chromium_drive", os.path.join(HERE, "..", "..", "bench", "chromium-drive.py"))
drive = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drive)


class CheckFailed(Exception):
    pass


def log(msg):
    print(f"serve-page: {msg}", file=sys.stderr, flush=True)


def chromium_args(binary, profile):
    """Those of `e2call web join` (cmd-web-chromium.c): fake devices, real
    host ICE candidates, nothing but 127.0.0.1 and the router."""
    return [
        binary, "--headless", "--remote-debugging-pipe", f"--user-data-dir={profile}",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required", "--mute-audio",
        "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,MediaRouter,OptimizationHints",
        "--disable-background-networking", "--disable-component-update",
        "--disable-domain-reliability", "--disable-sync", "--disable-default-apps",
        "--disable-extensions", "--disable-breakpad", "--no-pings", "--metrics-recording-only",
        "--no-first-run", "--no-default-browser-check",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--disable-gpu",
        "--no-sandbox" if os.geteuid() == 0 else "--enable-sandbox",
        "--window-size=1000,900", "about:blank",
    ]


def start_chromium(binary, home, logfile):
    drive.chromium_args = chromium_args  # the flags above, chromium-drive's pipes
    return drive.start_chromium(binary, home, logfile)


# The page keeps its events to itself unless a driver binds window.e2callEvent
# (app.js emit()); this one only records them, to read and keep.
RECORD_JS = "window.e2callEvent = (e) => (window.__e2cEvents ||= []).push(JSON.parse(e));"


# Whether the element takes room on the screen: what a person sees, which
# the hidden attribute alone does not decide (a style can override it).
VISIBLE = "((sel) => document.querySelector(sel).getClientRects().length > 0)"


def events(page):
    return page.eval("window.__e2cEvents || []") or []


def find(evs, name, **fields):
    return [e for e in evs if e.get("event") == name and
            all(e.get(k) == v for k, v in fields.items())]


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)
    log(f"ok: {what}")


def click(cdp, session, page, selector):
    """A left click in the middle of the element, as the mouse gives it."""
    box = page.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                    "if (!e) return null; e.scrollIntoView({block: 'center'});"
                    "const r = e.getBoundingClientRect();"
                    "return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()")
    if not box:
        raise CheckFailed(f"the page has no {selector}")
    for kind in ("mousePressed", "mouseReleased"):
        cdp.call("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                              "button": "left", "clickCount": 1}, session)


def type_into(cdp, session, page, selector, text):
    click(cdp, session, page, selector)
    focused = page.eval(f"document.activeElement === document.querySelector({json.dumps(selector)})")
    expect(focused, f"a click puts the cursor in {selector}")
    cdp.call("Input.insertText", {"text": text}, session)


def tile_status(page, remote):
    """The status line of REMOTE's tile, as the page shows it, or None."""
    return page.eval(f"""(() => {{
      for (const t of document.querySelectorAll('#remotes .tile'))
        if (t.querySelector('.name').textContent.startsWith({json.dumps(remote + ' (')}))
          return t.querySelector('.status').textContent;
      return null; }})()""")


def decrypting(status):
    """Both tracks decrypting, with frames, and verified, in the tile's words
    ("video: decrypting, 57 decrypted, 0 failed, verified | audio: ...")."""
    parts = [p.strip() for p in (status or "").split("|")]
    return all(any(p.startswith(f"{track}: decrypting") and p.endswith(", verified") and
                   int((re.search(r", (\d+) decrypted", p) or [0, "0"])[1]) > 0 for p in parts)
               for track in ("video", "audio"))


def run(a, cdp, session, secret):
    page = drive.Page(cdp, session)
    cdp.call("Page.enable", session=session)
    cdp.call("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_JS}, session)
    cdp.call("Page.navigate", {"url": a.url}, session)
    # window.e2call is set by app.js, which page.js imports: the modules were
    # served and accepted as module scripts.
    page.wait_for("document.readyState === 'complete' && !!window.e2call && "
                  "!!document.querySelector('#join button[type=submit]')",
                  "the page and its modules to load", 30)
    expect(page.eval("window.crossOriginIsolated") is True, "the page is cross-origin isolated")
    server = page.eval("document.querySelector('#join [name=server]').value")
    expect(server == a.server, f"the router field holds the address's ?server= ({server})")

    expect(page.eval(f"{VISIBLE}('#join') && !{VISIBLE}('#rekey')"),
           "the join form is shown, rekey and leave are not")
    type_into(cdp, session, page, "#join [name=room]", a.room)
    type_into(cdp, session, page, "#join [name=display]", a.display)
    type_into(cdp, session, page, "#join [name=secret]", secret)
    click(cdp, session, page, "#join button[type=submit]")

    page.wait_for("(window.__e2cEvents || []).some((e) => e.event === 'published') || "
                  "(window.__e2cEvents || []).some((e) => e.event === 'error')",
                  "the page to join and publish", 60)
    evs = events(page)
    expect(not find(evs, "error"), f"no error on joining: {find(evs, 'error')}")
    expect(find(evs, "joined", room=a.room, e2ee=True), "the page joined the room, encrypted")
    expect(page.eval("document.querySelector('#join [name=secret]').value === ''"),
           "the secret field is emptied")
    expect(page.eval(f"!{VISIBLE}('#join') && {VISIBLE}('#rekey')"),
           "the join form is gone from the screen, rekey and leave are shown")
    print("joined", flush=True)

    deadline, shown = time.monotonic() + a.timeout, None
    while not decrypting(shown):
        shown = tile_status(page, a.remote) or shown
        if time.monotonic() > deadline:
            raise CheckFailed(f"the page never showed {a.remote}'s video and audio as decrypting "
                              f"with frames and verified; it last showed: {shown!r}")
        time.sleep(0.25)
    expect(True, f"the page shows {a.remote}: {shown}")
    png = cdp.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
    with open(os.path.join(a.work, "page.png"), "wb") as f:
        f.write(base64.b64decode(png))
    print("decrypting", flush=True)

    page.wait_for(f"(window.__e2cEvents || []).some((e) => e.event === 'remote-unpublished' "
                  f"&& e.remote === {json.dumps(a.remote)})", f"{a.remote} to leave", a.timeout)
    summary = page.eval("window.e2call.summary()")
    for track in ("video", "audio"):
        s = [x for x in summary["streams"] if x["remote"] == a.remote and x["track"] == track]
        expect(len(s) == 1 and s[0]["state"] == "decrypting" and s[0]["verified"] and
               s[0]["frames-decrypted"] > 0 and s[0]["mismatch-events"] == 0,
               f"the page's summary of {a.remote}'s {track}: {s}")
    click(cdp, session, page, "#leave")
    page.wait_for("(window.__e2cEvents || []).some((e) => e.event === 'left')",
                  "the page to leave", 30)
    evs = events(page)
    with open(os.path.join(a.work, "page-events.json"), "w") as f:
        for e in evs:
            f.write(json.dumps(e) + "\n")
    expect(find(evs, "notice", **{"self-test": "passed"}), "the worker's self-test passed")
    expect(not find(evs, "encryption-secret-mismatch") and not find(evs, "error"),
           "no mismatch, no error")
    expect(find(evs, "left", reason="interrupted"), "Leave ends the call")
    html = page.eval("document.documentElement.outerHTML + location.href")
    expect(secret not in html and secret not in json.dumps(evs),
           "the secret is in neither the page, its address nor its events")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--server", required=True, help="the router the address proposes")
    ap.add_argument("--room", required=True)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--display", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--chromium", default=os.environ.get("E2CALL_CHROMIUM", "chromium"))
    a = ap.parse_args()
    with open(a.secret_file) as f:
        secret = f.read().rstrip("\n")
    binary = shutil.which(a.chromium)
    if not binary:
        log(f"no {a.chromium}")
        return 3
    drive.signal.signal(drive.signal.SIGTERM, lambda *_: sys.exit(143))
    home = tempfile.mkdtemp(prefix="e2c-serve-page-")
    proc = cdp = None
    status = 3
    try:
        with open(os.path.join(a.work, "chromium.log"), "ab") as logfile:
            proc, cdp = start_chromium(binary, home, logfile)
        targets = cdp.call("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"] or \
            [{"targetId": cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]}]
        session = cdp.call("Target.attachToTarget", {"targetId": pages[0]["targetId"],
                                                     "flatten": True})["sessionId"]
        try:
            run(a, cdp, session, secret)
            status = 0
        except (CheckFailed, RuntimeError) as e:
            status = 1 if isinstance(e, CheckFailed) else 3
            log(f"FAIL: {e}")
            page = drive.Page(cdp, session)
            try:  # what the page showed, for the log
                log("the page's tiles: " + page.eval("document.getElementById('remotes').innerText"))
                log("the page's log: " + page.eval("document.getElementById('log').innerText"))
                png = cdp.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
                with open(os.path.join(a.work, "page-failed.png"), "wb") as f:
                    f.write(base64.b64decode(png))
            except RuntimeError:
                pass
    except RuntimeError as e:
        log(f"could not drive Chromium: {e}")
    finally:
        if proc:
            drive.stop_chromium(proc, cdp, home)
        shutil.rmtree(home, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
