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


def main():
    what, path = sys.argv[1], sys.argv[2]
    events = load(path)
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
