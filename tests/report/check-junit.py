#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks JUnit XML files as e2call writes them: valid against junit.xsd
(xmllint --schema, Debian package libxml2-utils), and the counts of the
suite and of <testsuites> agree with its test cases, no two cases alike.

Usage: check-junit.py FILE...   (exit 0: all valid; 1: a line per fault)
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

XSD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "junit.xsd")


def faults(path):
    if not shutil.which("xmllint"):
        return [f"{path}: xmllint not found (Debian: apt-get install libxml2-utils)"]
    run = subprocess.run(["xmllint", "--noout", "--schema", XSD, path],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        return [f"{path}: not valid against junit.xsd: {run.stderr.strip()}"]
    out = []
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    counted = {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
        "skipped": sum(c.find("skipped") is not None for c in cases),
    }
    for element in (root, suite):
        for key, n in counted.items():
            if int(element.get(key)) != n:
                out.append(f"{path}: <{element.tag}> {key}={element.get(key)}, cases: {n}")
    if root.get("name") != suite.get("name") or root.get("time") != suite.get("time"):
        out.append(f"{path}: <testsuites> and <testsuite> differ in name or time")
    seen = set()
    for c in cases:
        key = (c.get("classname"), c.get("name"))
        if key in seen:
            out.append(f"{path}: test case {key} twice")
        seen.add(key)
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    found = [f for path in sys.argv[1:] for f in faults(path)]
    for f in found:
        print(f"FAIL: {f}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
