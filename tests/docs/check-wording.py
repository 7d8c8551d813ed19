#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What --help says about a flag agrees with e2call(1): every "per <noun>"
phrase of a flag's --help text (per pair, per second, ...) and every number
it gives as the default appear in the flag's entry in the man page, in the
section of that command ("As for join." entries read join's too).

Usage: check-wording.py E2CALL MAN_PAGE (e2call.1.scd)
"""
import re
import subprocess
import sys

# Where e2call(1) documents each command's flags.
SECTIONS = {
    "join": ["JOIN OPTIONS", "SECRETS"],
    "session create": ["SESSION OPTIONS"],
    "session destroy": ["SESSION OPTIONS"],
    "load": ["LOAD"],
    "rekey": ["CONTROL COMMANDS"],
    "status": ["CONTROL COMMANDS"],
    "stats": ["CONTROL COMMANDS"],
    "leave": ["CONTROL COMMANDS"],
    "web serve": ["WEB"],
    "web join": ["WEB", "SECRETS"],
}


def sections(page):
    """{title: [lines]} of the page's "# TITLE" sections."""
    out, current = {}, None
    for line in page.split("\n"):
        if line.startswith("# "):
            current = out.setdefault(line[2:].strip(), [])
        elif current is not None:
            current.append(line)
    return out


def plain(text):
    """scdoc text without its markup: *bold* and _underlined_."""
    text = text.replace("*", "")
    return re.sub(r"(?<![A-Za-z0-9])_([^_]+)_(?![A-Za-z0-9])", r"\1", text)


def entry(lines, flag):
    """The text of the option entry whose heading shows flag, or None."""
    heading = re.compile(r"[*, ]" + re.escape(flag) + r"\*")
    for i, line in enumerate(lines):
        if line.startswith("*") and heading.search(line):
            body = []
            for more in lines[i + 1:]:
                if not more.startswith("\t"):
                    break
                body.append(more.strip())
            return plain(" ".join(body))
    return None


def help_flags(e2call, command):
    """(flag, description) for each of the command's own flags in --help-all."""
    out = subprocess.run([e2call, *command.split(), "--help-all"], capture_output=True,
                         text=True, check=False).stdout
    for line in out.split("\n"):
        m = re.match(r"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)(?:=\S+)?\s{2,}(.*)$", line)
        if m and not m.group(1).startswith(("--help", "--gst-")):
            yield m.group(1), m.group(2)


def main(e2call, man):
    with open(man, encoding="utf-8") as f:
        page = sections(f.read())
    failures = checked = 0
    for command, titles in SECTIONS.items():
        for flag, text in help_flags(e2call, command):
            body = next((b for t in titles if (b := entry(page.get(t, []), flag))), None)
            if body is None:
                continue  # check-man.sh reports undocumented flags
            if body.startswith("As for join"):
                join = [page["JOIN OPTIONS"], page["SECRETS"]]
                body += " " + next((b for s in join if (b := entry(s, flag))), "")
            checked += 1
            problems = [f"--help says '{p}'" for p in re.findall(r"\bper [a-z]+", text)
                        if p not in body]
            for value in re.findall(r"default:? (\d[\w.]*)", text):
                shown = r"(?i)default:?[^.;]*?(?<![\d.])" + re.escape(value) + r"(?!\d)(?!\.\d)"
                if not re.search(shown, body):
                    problems.append(f"--help gives the default {value}")
            for p in problems:
                print(f"FAIL: e2call {command} {flag}: {p}; e2call(1): \"{body[:160]}\"")
                failures += 1
    print(f"wording: {checked} flag entries compared, {failures} disagreements")
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
