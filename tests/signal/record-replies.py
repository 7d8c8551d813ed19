#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Record real Janus replies for tests/signal/data/.

Run inside the lab, with the system Python (it needs python3-gi and
GStreamer's webrtcbin for a real publisher and subscriber):

    E2CALL_LAB_SESSION_TIMEOUT=5 scripts/lab run -- \
        /usr/bin/python3 tests/signal/record-replies.py tests/signal/data

Every file is one WebSocket text message exactly as Janus sent it (except
"log-path" in server-info.json, which would name the lab's temp folder). A few
replies need real media (the "publishers" list only shows publishers whose
PeerConnection is up), hence webrtcbin. Nothing here is part of the build.
"""

import base64
import json
import os
import queue
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

E2EE_ROOM = 4101
PLAIN_ROOM = 4102
TIMEOUT = 15


class WebSocket:
    """Just enough RFC 6455 for one text-only client connection."""

    def __init__(self, url, protocol):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path or '/'} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: {protocol}\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("handshake failed: %r" % head)
        self.sock.settimeout(None)
        self.lock = threading.Lock()

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        hdr = bytes([0x81])
        n = len(data)
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        with self.lock:
            self.sock.sendall(hdr + mask + masked)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            if opcode == 0x8:
                raise EOFError
            if opcode == 0x9:
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Janus:
    """One WebSocket: a reader thread sorts messages into a queue."""

    def __init__(self, url, name):
        self.ws = WebSocket(url, "janus-protocol")
        self.name = name
        self.q = queue.Queue()
        self.n = 0
        self.sessions = []
        threading.Thread(target=self._reader, daemon=True).start()
        threading.Thread(target=self._keepalive, daemon=True).start()

    def _keepalive(self):
        # Every session but the one meant to time out gets a keepalive per second.
        while True:
            time.sleep(1)
            for s in list(self.sessions):
                self.ws.send(json.dumps({"janus": "keepalive", "session_id": s,
                                         "transaction": "keepalive"}))

    def _reader(self):
        try:
            while True:
                text = self.ws.recv()
                self.q.put((text, json.loads(text)))
        except (EOFError, OSError):
            self.q.put((None, None))

    def tx(self):
        self.n += 1
        return "%s-%d" % (self.name, self.n)

    def send(self, msg):
        msg = dict(msg)
        msg.setdefault("transaction", self.tx())
        self.ws.send(json.dumps(msg))
        return msg["transaction"]

    def wait(self, pred, what):
        deadline = time.time() + TIMEOUT
        skipped = []
        while time.time() < deadline:
            try:
                text, msg = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            if msg is not None and msg.get("transaction") == "keepalive":
                continue
            if text is None:
                raise RuntimeError("%s: connection closed while waiting for %s" % (self.name, what))
            if pred(msg):
                for s in skipped:
                    self.q.put(s)
                return text, msg
            skipped.append((text, msg))
        raise RuntimeError("%s: timed out waiting for %s (saw %s)" % (self.name, what, [s[0][:120] for s in skipped]))

    def reply(self, tx, kinds=("success", "error", "ack")):
        return self.wait(lambda m: m.get("transaction") == tx and m.get("janus") in kinds, "reply to " + tx)

    def event(self, tx):
        return self.wait(lambda m: m.get("transaction") == tx and m.get("janus") == "event", "event for " + tx)


class Recorder:
    def __init__(self, outdir):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)

    def save(self, name, text):
        with open(os.path.join(self.outdir, name + ".json"), "w") as f:
            f.write(text)
        print("recorded", name, file=sys.stderr)


class Peer:
    """A webrtcbin publisher (VP8) or subscriber, driven from the GLib loop."""

    def __init__(self, publisher):
        if publisher:
            self.pipe = Gst.parse_launch(
                "webrtcbin name=wb bundle-policy=max-bundle "
                "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
                "! vp8enc deadline=1 ! rtpvp8pay ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! wb.")
            self.wb = self.pipe.get_by_name("wb")
        else:
            self.pipe = Gst.Pipeline.new()
            self.wb = Gst.ElementFactory.make("webrtcbin", "wb")
            self.wb.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
            self.pipe.add(self.wb)
        # PyGObject sinks the floating ICE object: keep a reference for the
        # agent's lifetime, and turn UPnP and ICE-TCP off before gathering.
        self.ice = self.wb.get_property("ice-agent")
        self.ice.set_property("ice-tcp", False)
        self.ice.get_property("agent").set_property("upnp", False)
        self.candidates = queue.Queue()
        self.gathered = threading.Event()
        self.sdp = queue.Queue()
        self.wb.connect("on-ice-candidate", lambda _w, idx, c: self.candidates.put((idx, c)))
        self.wb.connect("notify::ice-gathering-state", self._gathering)
        if not publisher:
            self.wb.connect("pad-added", self._pad_added)

    def _gathering(self, wb, _pspec):
        if wb.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            self.gathered.set()

    def _pad_added(self, _wb, pad):
        sink = Gst.ElementFactory.make("fakesink")
        self.pipe.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))

    def offer(self):
        def on_offer(promise, _):
            # Keep the reply alive while its boxed value is in use: PyGObject
            # frees the structure with its wrapper.
            reply = promise.get_reply()
            offer = reply.get_value("offer")
            self.wb.emit("set-local-description", offer, None)
            self.sdp.put(offer.sdp.as_text())

        def on_negotiation_needed(wb):
            for i in range(8):
                t = wb.emit("get-transceiver", i)
                if t is None:
                    break
                t.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
            wb.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))
        self.wb.connect("on-negotiation-needed", on_negotiation_needed)
        self.pipe.set_state(Gst.State.PLAYING)
        return self.sdp.get(timeout=TIMEOUT)

    def set_remote(self, kind, sdp):
        _, msg = GstSdp.SDPMessage.new_from_text(sdp)
        t = GstWebRTC.WebRTCSDPType.ANSWER if kind == "answer" else GstWebRTC.WebRTCSDPType.OFFER
        desc = GstWebRTC.WebRTCSessionDescription.new(t, msg)
        self.wb.emit("set-remote-description", desc, None)

    def answer(self, offer_sdp):
        self.pipe.set_state(Gst.State.PLAYING)
        self.set_remote("offer", offer_sdp)

        def on_answer(promise, _):
            reply = promise.get_reply()
            answer = reply.get_value("answer")
            self.wb.emit("set-local-description", answer, None)
            self.sdp.put(answer.sdp.as_text())
        self.wb.emit("create-answer", None, Gst.Promise.new_with_change_func(on_answer, None))
        return self.sdp.get(timeout=TIMEOUT)

    def trickle_all(self, j, session, handle):
        """Send every candidate, then completed, as GStreamer 1.22 never says so itself."""
        self.gathered.wait(TIMEOUT)
        while True:
            try:
                idx, cand = self.candidates.get_nowait()
            except queue.Empty:
                break
            tx = j.send({"janus": "trickle", "session_id": session, "handle_id": handle,
                         "candidate": {"candidate": cand, "sdpMLineIndex": idx}})
            j.reply(tx)
        tx = j.send({"janus": "trickle", "session_id": session, "handle_id": handle,
                     "candidate": {"completed": True}})
        return j.reply(tx)

    def stop(self):
        self.pipe.set_state(Gst.State.NULL)


def vr(j, session, handle, body, jsep=None):
    msg = {"janus": "message", "session_id": session, "handle_id": handle, "body": body}
    if jsep:
        msg["jsep"] = jsep
    return j.send(msg)


def new_session(j):
    tx = j.send({"janus": "create"})
    text, msg = j.reply(tx)
    session = msg["data"]["id"]
    j.sessions.append(session)
    tx = j.send({"janus": "attach", "session_id": session, "plugin": "janus.plugin.videoroom"})
    text2, msg2 = j.reply(tx)
    return session, msg2["data"]["id"], text, text2


def main():
    Gst.init(None)
    loop = GLib.MainLoop()
    threading.Thread(target=loop.run, daemon=True).start()
    rec = Recorder(sys.argv[1])
    url = os.environ["E2CALL_SERVER"]

    a = Janus(url, "alice")
    tx = a.send({"janus": "info"})
    # The one edit: the lab's temporary log path becomes "janus.log".
    info = a.wait(lambda m: m.get("transaction") == tx, "info")[0]
    rec.save("server-info", re.sub(r'"log-path":"[^"]*"', '"log-path":"janus.log"', info))
    sa, ha, t_create, t_attach = new_session(a)
    rec.save("success-create", t_create)
    rec.save("success-attach", t_attach)

    # Rooms: one E2EE, one plain; then the error cases of the synchronous API.
    tx = vr(a, sa, ha, {"request": "create", "room": E2EE_ROOM, "description": "e2ee room",
                        "publishers": 6, "videocodec": "vp8,vp9,h264", "audiocodec": "opus",
                        "require_e2ee": True, "permanent": False, "bitrate": 2000000, "fir_freq": 10})
    rec.save("vr-created", a.reply(tx)[0])
    tx = vr(a, sa, ha, {"request": "create", "room": PLAIN_ROOM, "description": "plain room",
                        "publishers": 6, "videocodec": "vp8", "permanent": False})
    a.reply(tx)
    tx = vr(a, sa, ha, {"request": "create", "room": E2EE_ROOM, "permanent": False})
    rec.save("vr-error-427-room-exists", a.reply(tx)[0])
    tx = vr(a, sa, ha, {"request": "exists", "room": E2EE_ROOM})
    rec.save("vr-exists", a.reply(tx)[0])
    tx = vr(a, sa, ha, {"request": "list"})
    rec.save("vr-list", a.reply(tx)[0])
    tx = vr(a, sa, ha, {"request": "listparticipants", "room": 999999})
    rec.save("vr-error-426-no-such-room", a.reply(tx)[0])
    tx = vr(a, sa, ha, {"request": "join", "ptype": "publisher", "room": 999999, "display": "nobody"})
    a.reply(tx)
    rec.save("vr-event-error-426-join", a.event(tx)[0])

    # A first handle joins the E2EE room and publishes without the flag: 433.
    # Janus 1.1.2 has already created the handle's ICE agent by then, so a
    # second offer on that handle fails in the core ("Agent already exists?",
    # 490): a client must retry on a fresh handle.
    tx = vr(a, sa, ha, {"request": "join", "ptype": "publisher", "room": E2EE_ROOM, "display": "alice"})
    rec.save("ack", a.reply(tx)[0])
    rec.save("vr-joined", a.event(tx)[0])
    pub = Peer(True)
    offer = pub.offer()
    tx = vr(a, sa, ha, {"request": "configure", "audio": False, "video": True},
            {"type": "offer", "sdp": offer})
    a.reply(tx)
    rec.save("vr-event-error-433-e2ee-required", a.event(tx)[0])
    tx = vr(a, sa, ha, {"request": "configure", "audio": False, "video": True},
            {"type": "offer", "sdp": offer, "e2ee": True})
    rec.save("core-error-490-after-433", a.reply(tx)[0])
    tx = vr(a, sa, ha, {"request": "leave"})
    a.reply(tx)
    rec.save("vr-event-leaving-ok", a.event(tx)[0])
    tx = a.send({"janus": "detach", "session_id": sa, "handle_id": ha})
    a.reply(tx)

    # Erin is in the room before Alice publishes: she gets an event with "publishers".
    e = Janus(url, "erin")
    se, he, _, _ = new_session(e)
    tx = vr(e, se, he, {"request": "join", "ptype": "publisher", "room": E2EE_ROOM, "display": "erin"})
    e.reply(tx)
    e.event(tx)

    # Alice proper, on a fresh handle, with e2ee in the jsep.
    tx = a.send({"janus": "attach", "session_id": sa, "plugin": "janus.plugin.videoroom"})
    ha = a.reply(tx)[1]["data"]["id"]
    tx = vr(a, sa, ha, {"request": "join", "ptype": "publisher", "room": E2EE_ROOM, "display": "alice"})
    a.reply(tx)
    alice_id = a.event(tx)[1]["plugindata"]["data"]["id"]
    tx = vr(a, sa, ha, {"request": "configure", "audio": False, "video": True},
            {"type": "offer", "sdp": offer, "e2ee": True})
    a.reply(tx)
    text, ev = a.event(tx)
    rec.save("vr-event-configured-answer", text)
    pub.set_remote("answer", ev["jsep"]["sdp"])
    pub.trickle_all(a, sa, ha)
    rec.save("webrtcup", a.wait(lambda m: m.get("janus") == "webrtcup", "webrtcup")[0])
    rec.save("media", a.wait(lambda m: m.get("janus") == "media", "media")[0])
    rec.save("vr-event-publishers", e.wait(
        lambda m: m.get("plugindata", {}).get("data", {}).get("publishers"), "publishers")[0])

    # Bob joins and sees Alice; a second handle of Bob's tries Alice's id.
    b = Janus(url, "bob")
    sb, hb, _, _ = new_session(b)
    tx = vr(b, sb, hb, {"request": "join", "ptype": "publisher", "room": E2EE_ROOM, "display": "bob"})
    b.reply(tx)
    rec.save("vr-joined-publishers", b.event(tx)[0])
    tx = b.send({"janus": "attach", "session_id": sb, "plugin": "janus.plugin.videoroom"})
    hb2 = b.reply(tx)[1]["data"]["id"]
    tx = vr(b, sb, hb2, {"request": "join", "ptype": "publisher", "room": E2EE_ROOM, "id": alice_id})
    b.reply(tx)
    rec.save("vr-event-error-436-id-exists", b.event(tx)[0])
    tx = vr(b, sb, hb, {"request": "listparticipants", "room": E2EE_ROOM})
    rec.save("vr-participants", b.reply(tx)[0])

    # Carol subscribes to Alice.
    c = Janus(url, "carol")
    sc, hc, _, _ = new_session(c)
    tx = vr(c, sc, hc, {"request": "join", "ptype": "subscriber", "room": E2EE_ROOM,
                        "streams": [{"feed": alice_id}]})
    c.reply(tx)
    text, attached = c.event(tx)
    rec.save("vr-attached-offer", text)
    sub = Peer(False)
    answer = sub.answer(attached["jsep"]["sdp"])
    tx = vr(c, sc, hc, {"request": "start", "room": E2EE_ROOM}, {"type": "answer", "sdp": answer})
    c.reply(tx)
    rec.save("vr-event-started", c.event(tx)[0])
    sub.trickle_all(c, sc, hc)
    c.wait(lambda m: m.get("janus") == "webrtcup", "subscriber webrtcup")
    tx = c.send({"janus": "hangup", "session_id": sc, "handle_id": hc})
    c.reply(tx)
    rec.save("hangup", c.wait(lambda m: m.get("janus") == "hangup", "hangup")[0])
    tx = c.send({"janus": "detach", "session_id": sc, "handle_id": hc})
    rec.save("success-detach", c.reply(tx)[0])
    rec.save("detached", c.wait(lambda m: m.get("janus") == "detached", "detached")[0])
    sub.stop()

    # Alice unpublishes and leaves; Bob hears about both.
    tx = vr(a, sa, ha, {"request": "unpublish"})
    a.reply(tx)
    rec.save("vr-event-unpublished-ok", a.event(tx)[0])
    rec.save("vr-event-unpublished", b.wait(
        lambda m: m.get("plugindata", {}).get("data", {}).get("unpublished") == alice_id, "unpublished")[0])
    pub.stop()
    tx = vr(a, sa, ha, {"request": "leave"})
    a.reply(tx)
    a.event(tx)
    rec.save("vr-event-leaving", b.wait(
        lambda m: m.get("plugindata", {}).get("data", {}).get("leaving") == alice_id, "leaving")[0])

    # Core errors: an unknown session, a malformed request.
    tx = a.send({"janus": "keepalive", "session_id": 1})
    rec.save("core-error-458", a.reply(tx)[0])
    tx = a.send({"janus": "message", "session_id": sa, "handle_id": 1, "body": {}})
    rec.save("core-error-459", a.reply(tx)[0])

    tx = vr(b, sb, hb, {"request": "destroy", "room": PLAIN_ROOM})
    b.reply(tx)
    tx = vr(a, sa, ha, {"request": "destroy", "room": E2EE_ROOM})
    rec.save("vr-destroyed", a.reply(tx)[0])
    rec.save("vr-event-destroyed", b.wait(
        lambda m: m.get("plugindata", {}).get("data", {}).get("videoroom") == "destroyed", "destroyed")[0])
    a.sessions.remove(sa)
    tx = a.send({"janus": "destroy", "session_id": sa})
    rec.save("success-destroy", a.reply(tx)[0])

    # A session left without keepalives times out (run with a short
    # E2CALL_LAB_SESSION_TIMEOUT).
    d = Janus(url, "dave")
    tx = d.send({"janus": "create"})
    d.reply(tx)
    text = None
    end = time.time() + 90
    while time.time() < end and text is None:
        try:
            text, msg = d.wait(lambda m: m.get("janus") == "timeout", "timeout")
        except RuntimeError:
            text = None
    if text:
        rec.save("timeout", text)
    loop.quit()


if __name__ == "__main__":
    main()
