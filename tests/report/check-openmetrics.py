#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A strict parser of the OpenMetrics text format (the subset of its grammar
without exemplars), for e2call's --metrics files: Debian 12 has promtool only
in the prometheus package, with a server and a web interface around it.

Checks: valid UTF-8, lines ending in LF, "# EOF" last; per family at most one
TYPE, UNIT, HELP, before its samples; a family once (its samples together);
metric and label names, label values with only the escapes \\\\ \\" \\n; sample
names as the type allows (a counter's "_total"/"_created"); a unit as the
name's suffix; numbers; counters neither negative nor NaN; no label set twice
in a sample name, no label name twice in a set.

Usage: check-openmetrics.py FILE [--dump]
  --dump: print the samples as JSON, [name, {labels}, value] per line.
Exit 0: valid; 1: a line per fault (the first in each line).
"""
import json
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "stateset", "info", "histogram", "gaugehistogram", "summary",
         "unknown"}
SUFFIXES = {
    "counter": ["_total", "_created"],
    "gauge": [""],
    "unknown": [""],
    "stateset": [""],
    "info": ["_info"],
    "histogram": ["_bucket", "_count", "_sum", "_created"],
    "gaugehistogram": ["_bucket", "_gcount", "_gsum"],
    "summary": ["", "_count", "_sum", "_created"],
}
NUMBER = re.compile(r"^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                    r"|[+-]?Inf|NaN)$", re.IGNORECASE)


class Fault(Exception):
    pass


def unescape(text, where):
    """The value of an escaped string (label value, HELP), refusing other escapes."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if i + 1 >= len(text) or text[i + 1] not in '\\"n':
                raise Fault(f"{where}: a backslash not followed by \\, \" or n")
            out.append({"\\": "\\", '"': '"', "n": "\n"}[text[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_labels(text, where):
    """{name: value} from the text between the braces."""
    labels, i = {}, 0
    while i < len(text):
        m = re.match(LABEL + '="', text[i:])
        if not m:
            raise Fault(f"{where}: a label name, '=' and '\"' expected at {text[i:]!r}")
        name = m.group(0)[:-2]
        i += m.end()
        j = i
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        if j >= len(text):
            raise Fault(f"{where}: label {name} has no closing quote")
        if name in labels:
            raise Fault(f"{where}: label {name} twice")
        labels[name] = unescape(text[i:j], where)
        i = j + 1
        if i < len(text):
            if text[i] != ",":
                raise Fault(f"{where}: ',' expected between labels")
            i += 1
            if i == len(text):
                raise Fault(f"{where}: a trailing ','")
    return labels


def check(data):
    """The samples; raises Fault at the first fault."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Fault(f"not UTF-8: {e}") from e
    if not text.endswith("# EOF\n") and not text.endswith("# EOF"):
        raise Fault("does not end in '# EOF'")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines[-1] != "# EOF" or "# EOF" in lines[:-1]:
        raise Fault("'# EOF' must be the last line, once")
    families = {}   # name -> {"type", "unit", "help", "seen_sample"}
    current = None
    samples, series = [], set()
    for n, line in enumerate(lines[:-1], 1):
        where = f"line {n}"
        if "\r" in line:
            raise Fault(f"{where}: a carriage return")
        if line.startswith("#"):
            m = re.match(r"^# (TYPE|UNIT|HELP) (" + NAME + r")(?: (.*))?$", line)
            if not m:
                raise Fault(f"{where}: a comment other than TYPE, UNIT, HELP: {line!r}")
            kind, name, value = m.group(1), m.group(2), m.group(3)
            if name != current:
                if name in families:
                    raise Fault(f"{where}: family {name} again after another one")
                families[name] = {"type": "unknown", "unit": None, "help": None,
                                  "described": set(), "samples": False}
                current = name
            f = families[name]
            if f["samples"]:
                raise Fault(f"{where}: {kind} of {name} after its samples")
            if kind in f["described"]:
                raise Fault(f"{where}: a second {kind} for {name}")
            f["described"].add(kind)
            if kind == "TYPE":
                if value not in TYPES:
                    raise Fault(f"{where}: unknown type {value!r}")
                f["type"] = value
            elif kind == "UNIT":
                if not value or not re.fullmatch(r"[a-zA-Z0-9_:]+", value):
                    raise Fault(f"{where}: bad unit {value!r}")
                if not name.endswith("_" + value):
                    raise Fault(f"{where}: {name} does not end in its unit _{value}")
                f["unit"] = value
            else:
                f["help"] = unescape(value or "", where)
            continue
        m = re.match(r"^(" + NAME + r")(?:\{(.*)\})? (\S+)(?: (\S+))?$", line)
        if not m:
            raise Fault(f"{where}: not a sample: {line!r}")
        name, label_text, value, ts = m.groups()
        labels = parse_labels(label_text or "", where)
        if not NUMBER.match(value):
            raise Fault(f"{where}: not a number: {value!r}")
        if ts is not None and not NUMBER.match(ts):
            raise Fault(f"{where}: not a timestamp: {ts!r}")
        owner = None
        if current is not None:
            kind = families[current]["type"]
            if any(name == current + s for s in SUFFIXES[kind]):
                owner = current
        if owner is None:
            # A sample without descriptors starts an "unknown" family of its own.
            if name in families:
                raise Fault(f"{where}: {name} does not belong to family {current}")
            families[name] = {"type": "unknown", "unit": None, "help": None,
                              "described": set(), "samples": False}
            current = owner = name
        f = families[owner]
        if f["type"] == "counter" and owner.endswith("_total"):
            raise Fault(f"{where}: counter family {owner} must not end in _total")
        f["samples"] = True
        number = float(value)
        if f["type"] == "counter" and (math.isnan(number) or number < 0):
            raise Fault(f"{where}: counter {name} is {value}")
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            raise Fault(f"{where}: {name} with these labels twice")
        series.add(key)
        samples.append([name, labels, number])
    return samples


def main():
    args = sys.argv[1:]
    dump = "--dump" in args
    files = [a for a in args if a != "--dump"]
    if len(files) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(files[0], "rb") as f:
        data = f.read()
    try:
        samples = check(data)
    except Fault as e:
        print(f"FAIL: {files[0]}: {e}")
        return 1
    if dump:
        for s in samples:
            print(json.dumps(s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
