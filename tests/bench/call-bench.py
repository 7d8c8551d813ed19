#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Call benchmarks through the lab's Janus (run inside `scripts/lab run`).

join:  process start of `e2call join` to its first decrypted, decoded video
       frame, over N joins against a publisher that is already running;
       prints p50 / p95 (README, Benchmarks: under 2 s; target p50 <= 0.5 s).
cpu:   CPU seconds (user + system) of a two-party call with E2EE against the
       same call without E2EE, measured side by side in alternating rounds;
       prints the median ratio (README, Benchmarks: at most 1.05).
rekey: (a) three participants rekey within the switch delay of one another:
       video frames lost at the receivers (target 0); (b) one rekeys with
       --rekey-delay 0 and the other later: time from the onset of the real
       mismatch (the sender's switch) to the receiver's mismatch event
       (target <= 1 s at 30 fps), and from the matching rekey to the first
       decrypted, decoded frame.
latency: end-to-end latency through the router of an E2EE call against the
       same call in plain, in alternating rounds of --seconds each: one
       publisher (--no-subscribe) and one receiver (--no-publish), so the
       plain call's video is timed (two publishers of the same test pattern
       would send identical frames, which a plain call cannot tell apart:
       e2call(1), MEDIA QUALITY FIGURES; for the same reason each round has
       its own picture size, so that no plain frame repeats one of an earlier
       round still in the frame-time table). Reads the receiver's summary: the
       video stream's latency-ms (to decryption, or the depayloader in plain)
       and decoded-latency-ms; prints the medians over the rounds of p50 and
       p95 of each mode and the E2EE - plain difference (README, Benchmarks:
       under 1 ms at p50). Each call has a latency of its own, nearly constant
       through it (p50 and p95 close) but tens of ms apart from call to call
       in either mode, which a few rounds cannot average out below 1 ms; so
       it also prints what E2EE puts into the path itself, measured inside
       each E2EE call: the publisher's encrypt-us-per-frame plus the
       receiver's decrypt-us-per-frame (their summaries' timing).

Usage: call-bench.py E2CALL [join|cpu|rekey|latency|all] [--joins N] [--rounds N]
                     [--seconds S]
"""
import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

SECRET = "a benchmark secret, not a real one"


def create_room(e2call, e2ee):
    args = [e2call, "session", "create"] + (["--e2ee"] if e2ee else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def join_args(e2call, room, name, e2ee, secret_file, extra):
    args = [e2call, "join", "--room", room, "--display", name, "--json", "--quiet",
            "--stats-interval", "0"]
    if e2ee:
        args += ["--secret-file", secret_file]
    return args + extra


def first_frame_ms(events, start_wall):
    for line in events.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == "media-flowing" and e.get("track") == "video":
            ts = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
            ts = ts.replace(tzinfo=datetime.timezone.utc).timestamp()
            return (ts - start_wall) * 1000.0
    return None


def bench_join(e2call, secret_file, joins):
    room = create_room(e2call, True)
    pub = subprocess.Popen(join_args(e2call, room, "publisher", True, secret_file,
                                     ["--no-subscribe", "--duration", f"{joins * 5 + 10}s"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    times = []
    for i in range(joins):
        start = time.time()
        out = subprocess.run(join_args(e2call, room, f"viewer{i}", True, secret_file,
                                       ["--no-publish", "--duration", "3s"]),
                             capture_output=True, text=True).stdout
        ms = first_frame_ms(out, start)
        if ms is None:
            print(f"join {i}: no decoded video frame", file=sys.stderr)
            continue
        times.append(ms)
        print(f"join {i + 1:2d}: first decrypted, decoded video frame after {ms:6.0f} ms")
    pub.terminate()
    pub.wait()
    if not times:
        print("join: no measurement")
        return None
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"join to first frame over {len(times)} joins: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
          f"max {times[-1]:.0f} ms")
    return p50, p95


def call_cpu(e2call, secret_file, e2ee, seconds):
    """CPU seconds of both participants of one two-party call."""
    room = create_room(e2call, e2ee)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = [subprocess.Popen(join_args(e2call, room, n, e2ee, secret_file,
                                        ["--duration", f"{seconds}s", "--expect-media"]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for n in ("a", "b")]
    codes = [p.wait() for p in procs]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if any(codes):
        print(f"  warning: exit statuses {codes}", file=sys.stderr)
    return cpu


def bench_cpu(e2call, secret_file, rounds, seconds):
    e2ee, plain = [], []
    for r in range(rounds):
        # Alternate the order so drift on a shared machine hits both alike.
        order = (True, False) if r % 2 == 0 else (False, True)
        for mode in order:
            cpu = call_cpu(e2call, secret_file, mode, seconds)
            (e2ee if mode else plain).append(cpu)
            print(f"round {r + 1}: {'e2ee ' if mode else 'plain'} two-party call, {seconds} s: "
                  f"{cpu:.2f} CPU s")
    ratios = [a / b for a, b in zip(e2ee, plain)]
    print(f"e2ee median {statistics.median(e2ee):.2f} CPU s, plain median "
          f"{statistics.median(plain):.2f} CPU s")
    ratio = statistics.median(ratios)
    print(f"two-party call e2ee/plain cpu ratio: {ratio:.3f}")
    return ratio


def events_of(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def ts_of(e):
    t = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def first(events, name, after=None, **kw):
    """The first event called name with the fields kw, after the event after if given."""
    seen = after is None
    for e in events:
        if e is after:
            seen = True
            continue
        if seen and e.get("event") == name and all(e.get(k) == v for k, v in kw.items()):
            return e
    return None


def rekey(e2call, sock, secret):
    subprocess.run([e2call, "rekey", "--control", sock, "--secret-file", secret], check=True,
                   capture_output=True)


def bench_rekey(e2call, secret_file, rounds):
    work = tempfile.mkdtemp()
    os.chmod(work, 0o700)
    new_secret = os.path.join(work, "new")
    with open(new_secret, "w") as f:
        f.write("the secret after the rekey")
    os.chmod(new_secret, 0o600)
    lost_total = []
    for r in range(rounds):
        room = create_room(e2call, True)
        names = ["a", "b", "c"]
        procs = {n: subprocess.Popen(
            join_args(e2call, room, n, True, secret_file,
                      ["--control", f"{work}/{n}.sock", "--duration", "14s", "--width", "320",
                       "--height", "240"]),
            stdout=open(f"{work}/{n}.json", "w"), stderr=subprocess.DEVNULL) for n in names}
        time.sleep(5)
        for n in names:
            rekey(e2call, f"{work}/{n}.sock", new_secret)
        for p in procs.values():
            p.wait()
        lost = 0
        mismatches = 0
        for n in names:
            ev = events_of(f"{work}/{n}.json")
            mismatches += sum(1 for e in ev if e.get("event") == "encryption-secret-mismatch")
            summary = first(ev, "summary")
            lost += sum(s.get("frames-lost", 0) for s in (summary or {}).get("streams", [])
                        if s.get("direction") == "recv")
        lost_total.append(lost)
        print(f"round {r + 1}: everyone rekeyed within the switch delay: {lost} video frames lost "
              f"at the receivers, {mismatches} mismatch events")
    onset, resume = [], []
    for r in range(rounds):
        room = create_room(e2call, True)
        procs = {n: subprocess.Popen(
            join_args(e2call, room, n, True, secret_file,
                      ["--control", f"{work}/{n}.sock", "--duration", "12s", "--width", "320",
                       "--height", "240", "--rekey-delay", "0"]),
            stdout=open(f"{work}/{n}.json", "w"), stderr=subprocess.DEVNULL) for n in ("a", "b")}
        time.sleep(4)
        rekey(e2call, f"{work}/a.sock", new_secret)
        time.sleep(3)
        rekey(e2call, f"{work}/b.sock", new_secret)
        for p in procs.values():
            p.wait()
        a, b = events_of(f"{work}/a.json"), events_of(f"{work}/b.json")
        # The switch the rekey caused.
        switched = first(a, "sending-switched", after=first(a, "rekeyed"), track="video")
        mm = first(b, "encryption-secret-mismatch", track="video")
        rekeyed = first(b, "rekeyed")
        resumed = first(b, "media-resumed", track="video")
        if not (switched and mm and rekeyed and resumed):
            print(f"round {r + 1}: incomplete events")
            continue
        onset.append(ts_of(mm) - ts_of(switched))
        resume.append(ts_of(resumed) - ts_of(rekeyed))
        print(f"round {r + 1}: video mismatch reported {onset[-1] * 1000:.0f} ms after the sender "
              f"switched; first decoded frame {resume[-1] * 1000:.0f} ms after the matching rekey")
    print(f"frames lost across a rekey within the switch delay: {sum(lost_total)} over "
          f"{len(lost_total)} rounds (target 0)")
    if onset:
        print(f"mismatch onset to event (video, 30 fps): median {statistics.median(onset) * 1000:.0f}"
              f" ms, max {max(onset) * 1000:.0f} ms (target <= 1000 ms)")
        print(f"matching rekey to first decoded frame: median {statistics.median(resume) * 1000:.0f}"
              f" ms, max {max(resume) * 1000:.0f} ms")


def call_latency(e2call, secret_file, e2ee, seconds, size):
    """The receiver's video latency-ms and decoded-latency-ms objects of one call, and the
    microseconds per frame of encryption (publisher) plus decryption (receiver), or None."""
    room = create_room(e2call, e2ee)
    pub_out = tempfile.TemporaryFile("w+")
    pub = subprocess.Popen(join_args(e2call, room, "publisher", e2ee, secret_file,
                                     ["--no-subscribe", "--duration", f"{seconds + 6}s",
                                      "--width", str(size[0]), "--height", str(size[1])]),
                           stdout=pub_out, stderr=subprocess.DEVNULL)
    time.sleep(2)
    out = subprocess.run(join_args(e2call, room, "receiver", e2ee, secret_file,
                                   ["--no-publish", "--duration", f"{seconds}s",
                                    "--expect-media"]),
                         capture_output=True, text=True)
    try:  # its summary comes at the end of its --duration
        pub.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pub.terminate()
        pub.wait()
    if out.returncode:
        print(f"  warning: receiver exit status {out.returncode}", file=sys.stderr)
    summary = first([json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")],
                    "summary")
    pub_out.seek(0)
    pub_summary = first([json.loads(l) for l in pub_out if l.startswith("{")], "summary")
    pub_out.close()
    enc = ((pub_summary or {}).get("timing") or {}).get("encrypt-us-per-frame")
    dec = ((summary or {}).get("timing") or {}).get("decrypt-us-per-frame")
    crypt = enc + dec if isinstance(enc, (int, float)) and isinstance(dec, (int, float)) else None
    for s in (summary or {}).get("streams", []):
        if s.get("direction") == "recv" and s.get("track") == "video":
            return s.get("latency-ms"), s.get("decoded-latency-ms"), crypt
    return None, None, crypt


def bench_latency(e2call, secret_file, rounds, seconds):
    got = {True: {"dec": [], "decoded": []}, False: {"dec": [], "decoded": []}}
    diffs = []  # e2ee - plain p50 of the two calls of a round, decryption
    crypts = []  # e2ee: encrypt + decrypt us per frame
    for r in range(rounds):
        this_round = {}
        # Sizes no other call of the test pattern is likely to use, one per round.
        size = (640 - 16 * (r + 1), 480 - 12 * (r + 1))
        # Alternate the order so drift on a shared machine hits both alike.
        order = (True, False) if r % 2 == 0 else (False, True)
        for mode in order:
            lat, decoded, crypt = call_latency(e2call, secret_file, mode, seconds, size)
            name = "e2ee " if mode else "plain"
            if mode and crypt is not None:
                crypts.append(crypt)
                print(f"round {r + 1}: e2ee  encrypt + decrypt {crypt:.1f} us per frame")
            if not lat or lat.get("p50") is None:
                print(f"round {r + 1}: {name} no video latency measured")
                continue
            got[mode]["dec"].append(lat)
            this_round[mode] = lat["p50"]
            if decoded and decoded.get("p50") is not None:
                got[mode]["decoded"].append(decoded)
            print(f"round {r + 1}: {name} video latency p50 {lat['p50']:.2f} ms, p95 "
                  f"{lat['p95']:.2f} ms, max {lat['max']:.2f} ms; decoded p50 "
                  f"{(decoded or {}).get('p50') or float('nan'):.2f} ms, p95 "
                  f"{(decoded or {}).get('p95') or float('nan'):.2f} ms")
        if len(this_round) == 2:
            diffs.append(this_round[True] - this_round[False])
    for key, what in (("dec", "to decryption (plain: depayloader)"),
                      ("decoded", "to the decoded frame")):
        e, p = got[True][key], got[False][key]
        if not e or not p:
            print(f"latency {what}: no measurement")
            continue
        med = {m: {q: statistics.median(x[q] for x in got[m][key]) for q in ("p50", "p95")}
               for m in (True, False)}
        print(f"video latency {what}, median over {len(e)}/{len(p)} rounds: e2ee p50 "
              f"{med[True]['p50']:.2f} ms, p95 {med[True]['p95']:.2f} ms; plain p50 "
              f"{med[False]['p50']:.2f} ms, p95 {med[False]['p95']:.2f} ms; e2ee - plain: p50 "
              f"{med[True]['p50'] - med[False]['p50']:+.2f} ms, p95 "
              f"{med[True]['p95'] - med[False]['p95']:+.2f} ms")
    if diffs:
        print(f"e2ee - plain p50 within a round (to decryption), median of {len(diffs)} rounds: "
              f"{statistics.median(diffs):+.2f} ms (rounds: "
              f"{', '.join(f'{d:+.2f}' for d in diffs)})")
    if crypts:
        print(f"e2ee in the path: encrypt + decrypt per frame (all tracks), median of "
              f"{len(crypts)} calls {statistics.median(crypts):.1f} us, max {max(crypts):.1f} us")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("e2call")
    ap.add_argument("what", nargs="?", default="all", choices=["join", "cpu", "rekey", "latency", "all"])
    ap.add_argument("--joins", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=20)
    a = ap.parse_args()
    if "E2CALL_SERVER" not in os.environ:
        sys.exit("call-bench.py: run it inside scripts/lab run")
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write(SECRET)
        secret_file = f.name
    os.chmod(secret_file, 0o600)
    try:
        if a.what in ("join", "all"):
            bench_join(a.e2call, secret_file, a.joins)
        if a.what in ("cpu", "all"):
            bench_cpu(a.e2call, secret_file, a.rounds, a.seconds)
        if a.what in ("rekey", "all"):
            bench_rekey(a.e2call, secret_file, a.rounds)
        if a.what in ("latency", "all"):
            bench_latency(a.e2call, secret_file, a.rounds, a.seconds)
    finally:
        os.unlink(secret_file)


if __name__ == "__main__":
    main()
