#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Questions about e2call --json event logs, for the call tests.

  events.py first LOG EVENT [KEY=VALUE...]   epoch seconds of the first match, or "none"
  events.py count LOG EVENT [KEY=VALUE...]   number of matches
  events.py lost LOG                         frames lost over all video streams (summary)
  events.py frames LOG send|recv TRACK [REMOTE]
                                             the summary's frames of that stream (sent, or
                                             decoded from REMOTE), or "none"
  events.py timing LOG KEY                   the summary's timing[KEY] (JSON: a number, or
                                             null), or "none" without a timing object
  events.py figure LOG TRACK REMOTE KEY     the summary's KEY of the stream of TRACK received
                                             from REMOTE (JSON), or "none"
  events.py quality LOG [STATS...]           freezes and jitter (e2call(1), MEDIA QUALITY
                                             FIGURES) in every stats event, the summary and
                                             the `e2call stats --json` replies STATS; exit 1
                                             unless all are there and the summary's figures
                                             agree with each other (inconsistent_quality)
  events.py latency LOG [STATS...]           latency (e2call(1), MEDIA QUALITY FIGURES): in
                                             every stats event, the summary and the replies
                                             STATS; exit 1 unless every received stream of the
                                             summary has latency-ms and decoded-latency-ms with
                                             p50 <= p95 <= p99 <= max and a p50 of 1 to 500 ms
  events.py av-skew LOG [STATS...]           A/V skew (e2call(1), MEDIA QUALITY FIGURES): exit
                                             1 unless the summary's received audio and video of
                                             each publisher both carry av-skew-ms and
                                             decoded-av-skew-ms, each its audio p50 minus its
                                             video p50 and under 100 ms either way, a stats
                                             event and every reply STATS have it likewise
"""
import datetime
import json
import sys


def load(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def matches(e, name, conds):
    if e.get("event") != name:
        return False
    for c in conds:
        k, v = c.split("=", 1)
        if str(e.get(k)).lower() != v.lower():
            return False
    return True


def epoch(e):
    ts = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return ts.replace(tzinfo=datetime.timezone.utc).timestamp()


QUALITY = ("freezes", "frozen-ms", "longest-freeze-ms", "jitter-ms")


def inconsistent_quality(s):
    """What does not add up in one stream's figures over a clean call.

    Not "no freeze": a loaded machine (CI, two cores) stalls a call now and
    then, and that is a real freeze. The figures must agree with each other,
    and a clean call is not frozen for most of its length (what counting
    every interval as a freeze, or a clock mix-up, would show). That the
    figures react to a known cause is tested with --impair.
    """
    who = f"{s['track']} from {s.get('remote')}"
    n, frozen, longest, jitter = (s[k] for k in QUALITY)
    out = []
    if (n == 0) != (frozen == 0) or (n == 0) != (longest == 0):
        out.append(f"{who}: {n} freezes but {frozen} ms frozen, longest {longest} ms")
    if longest > frozen or (n and frozen > n * longest):
        out.append(f"{who}: longest freeze {longest} ms against {frozen} ms in {n}")
    if not 0 <= jitter < 1000:
        out.append(f"{who}: jitter {jitter} ms")
    if s["track"] == "video" and n > 10:
        out.append(f"{who}: {n} freezes in a clean call")
    return out


def missing_quality(streams, where):
    """The problems with the quality figures of received streams, as lines."""
    out = []
    for s in streams:
        if s.get("direction", "recv") != "recv":
            continue
        gone = [k for k in QUALITY if not isinstance(s.get(k), (int, float))]
        if gone:
            out.append(f"{where}: {s.get('track')} from {s.get('remote')} lacks {gone}")
    return out


def quality(events, stats_files):
    problems = []
    stats = [e for e in events if e.get("event") == "stats" and e.get("streams")]
    if not stats:
        problems.append("no stats event with streams")
    for e in stats:
        problems += missing_quality(e["streams"], "stats event")
    for f in stats_files:
        with open(f, encoding="utf-8") as fh:
            reply = json.load(fh)
        if not reply.get("streams"):
            problems.append(f"{f}: no streams")
        problems += missing_quality(reply.get("streams", []), "e2call stats")
    summaries = [e for e in events if e.get("event") == "summary"]
    recv = [s for s in (summaries[-1]["streams"] if summaries else [])
            if s.get("direction") == "recv"]
    if not any(s.get("track") == "video" for s in recv):
        problems.append("no received video stream in the summary")
    problems += missing_quality(recv, "summary")
    for s in recv:
        if not all(k in s for k in QUALITY):
            continue
        print(f"{s['track']} from {s.get('remote')}: {s['freezes']} freezes, "
              f"{s['frozen-ms']} ms frozen (longest {s['longest-freeze-ms']} ms), "
              f"jitter {s['jitter-ms']:.2f} ms")
        problems += inconsistent_quality(s)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


LATENCY_KEYS = ("p50", "p95", "p99", "max")


def latency_problems(value, where):
    """What is wrong with one latency object that must be there."""
    if not isinstance(value, dict):
        return [f"{where}: {value!r}, not an object"]
    if not all(isinstance(value.get(k), (int, float)) for k in LATENCY_KEYS):
        return [f"{where}: {value} lacks one of {LATENCY_KEYS}"]
    v = [value[k] for k in LATENCY_KEYS]
    out = []
    if v != sorted(v):
        out.append(f"{where}: quantiles out of order: {value}")
    if not 1 <= value["p50"] <= 500:
        out.append(f"{where}: p50 {value['p50']} ms, not within 1 to 500 ms")
    return out


def latency(events, stats_files):
    problems = []
    stats = [e for e in events if e.get("event") == "stats" and e.get("streams")]
    if not stats:
        problems.append("no stats event with streams")
    sampled = set()
    for e in stats:
        for s in e["streams"]:
            for k in ("latency-ms", "decoded-latency-ms"):
                if k not in s:
                    problems.append(f"stats event: {s.get('track')} lacks {k}")
                elif s[k] is not None:
                    problems += latency_problems(s[k], f"stats event {s.get('track')} {k}")
                    sampled.add((s.get("track"), k))
    for track in ("video", "audio"):
        for k in ("latency-ms", "decoded-latency-ms"):
            if (track, k) not in sampled:
                problems.append(f"no stats event has a {track} {k} with samples")
    for f in stats_files:
        with open(f, encoding="utf-8") as fh:
            reply = json.load(fh)
        for s in reply.get("streams", []):
            if s.get("direction") == "recv" and "latency-ms" not in s:
                problems.append(f"{f}: {s.get('track')} lacks latency-ms")
    summaries = [e for e in events if e.get("event") == "summary"]
    recv = [s for s in (summaries[-1]["streams"] if summaries else [])
            if s.get("direction") == "recv"]
    if sorted(s.get("track") for s in recv) != ["audio", "video"]:
        problems.append(f"summary: received tracks {[s.get('track') for s in recv]}")
    for s in recv:
        for k in ("latency-ms", "decoded-latency-ms"):
            where = f"summary {s.get('track')} from {s.get('remote')} {k}"
            if k not in s:
                problems.append(f"{where}: missing")
            else:
                problems += latency_problems(s.get(k), where)
            print(f"{where}: {s.get(k)} (misses {s.get('latency-misses')})")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


SKEWS = (("av-skew-ms", "latency-ms"), ("decoded-av-skew-ms", "decoded-latency-ms"))


def skew_problems(streams, where, bound=None):
    """What is wrong with the skew of each publisher's received audio and video among streams;
    with bound, both must have it (under bound ms either way)."""
    problems = []
    # A publisher's streams pair as e2call pairs them: the same receiver and feed, both ended
    # (gone before the end: a publisher who left first) or neither, the first one not taken.
    recv = [s for s in streams if s.get("direction", "recv") == "recv"]
    audios = [s for s in recv if s.get("track") == "audio"]
    if bound is not None and not audios:
        problems.append(f"{where}: no received audio")
    taken = []
    for audio in audios:
        video = [s for s in recv if s.get("track") == "video" and not any(s is t for t in taken)
                 and s.get("feed") == audio.get("feed")
                 and s.get("participant") == audio.get("participant")
                 and bool(s.get("ended")) == bool(audio.get("ended"))]
        if not video:
            # A stats event may come before the first video frame (the first one, 90 ms after
            # subscribing, did in a CI run): no pair yet, so no skew may be claimed.
            if bound is not None or any(k in audio for k, _ in SKEWS):
                problems.append(f"{where}: audio from {audio.get('remote')} has no video")
            continue
        video = video[0]
        taken.append(video)
        for key, latency in SKEWS:
            a, v = audio.get(latency), video.get(latency)
            if not isinstance(a, dict) or not isinstance(v, dict):
                if key in audio or key in video:
                    problems.append(f"{where}: {key} without both {latency}")
                elif bound is not None:
                    problems.append(f"{where}: no {latency} for the skew: {a}, {v}")
                continue
            want = a["p50"] - v["p50"]
            got = (audio.get(key), video.get(key))
            if got[0] != got[1] or not isinstance(got[0], (int, float)):
                problems.append(f"{where}: {key} of audio and video differ or missing: {got}")
            elif abs(got[0] - want) > 0.005:
                problems.append(f"{where}: {key} {got[0]}, not {a['p50']} - {v['p50']}")
            elif bound is not None and abs(got[0]) >= bound:
                problems.append(f"{where}: {key} {got[0]} ms, not within {bound} ms")
            else:
                ended = " (ended)" if audio.get("ended") else ""
                print(f"{where}: {key} from {audio.get('remote')}{ended}: {got[0]:+.3f} ms")
    return problems


def av_skew(events, stats_files):
    summaries = [e for e in events if e.get("event") == "summary"]
    problems = [] if summaries else ["no summary"]
    for e in summaries[-1:]:
        problems += skew_problems(e["streams"], "summary", 100)
    stats = [e for e in events if e.get("event") == "stats" and e.get("streams")]
    with_skew = 0
    for e in stats:
        problems += skew_problems(e["streams"], "stats event")
        with_skew += any("av-skew-ms" in s for s in e["streams"])
    if not with_skew:
        problems.append("no stats event has av-skew-ms")
    for f in stats_files:
        with open(f, encoding="utf-8") as fh:
            problems += skew_problems(json.load(fh).get("streams", []), f, 100)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


def main():
    what, path = sys.argv[1], sys.argv[2]
    events = load(path)
    if what == "quality":
        quality(events, sys.argv[3:])
    if what == "latency":
        latency(events, sys.argv[3:])
    if what == "av-skew":
        av_skew(events, sys.argv[3:])
    if what == "lost":
        lost = 0
        for e in events:
            if e.get("event") == "summary":
                lost = sum(s.get("frames-lost", 0) for s in e["streams"]
                           if s.get("direction") == "recv")
        print(lost)
        return
    if what == "frames":
        direction, track, remote = sys.argv[3], sys.argv[4], sys.argv[5:]
        frames = "none"
        for e in events:
            if e.get("event") == "summary":
                frames = next((s["frames"] for s in e["streams"]
                               if s.get("direction") == direction and s.get("track") == track
                               and (not remote or s.get("remote") == remote[0])), "none")
        print(frames)
        return
    if what == "figure":
        track, remote, key = sys.argv[3], sys.argv[4], sys.argv[5]
        value = "none"
        for e in events:
            if e.get("event") == "summary":
                value = next((json.dumps(s.get(key)) for s in e["streams"]
                              if s.get("direction") == "recv" and s.get("track") == track
                              and s.get("remote") == remote), "none")
        print(value)
        return
    if what == "timing":
        value = "none"
        for e in events:
            if e.get("event") == "summary" and isinstance(e.get("timing"), dict):
                value = json.dumps(e["timing"].get(sys.argv[3]))
        print(value)
        return
    name, conds = sys.argv[3], sys.argv[4:]
    found = [e for e in events if matches(e, name, conds)]
    if what == "count":
        print(len(found))
    elif what == "first":
        print(f"{epoch(found[0]):.3f}" if found else "none")


if __name__ == "__main__":
    main()
