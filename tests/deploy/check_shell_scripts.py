#!/usr/bin/env python3
"""The shell scripts under deploy/, bench/ and tests/ keep clear of three
bugs each found here once:

  local       one `local` (or `declare`, `readonly`) whose word reads a name
              an earlier word of the same command assigns: bash expands
              every word before it assigns any, so `local k=$2 dir=/h$k`
              reads the caller's k (deploy/testbed/testbed did)
  pipefail    `| head -1` (-n 1, -n1) or `| grep -q` in a script with
              pipefail, not followed by `|| true`: the reader's early exit
              can kill the writer with SIGPIPE and fail the pipeline, which
              set -e turns into a silent exit (build-xen-host-image.sh did)
  by name     pkill, killall or pidof: a script stops what it started by its
              pid, never by a name another user's process may share
              (deploy/xen-host/control did)

Usage: check_shell_scripts.py [ROOT]   (default: the repository)
Prints one line per finding, FILE:LINE: what; exit 1 when there is one.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FOLDERS = ("deploy", "bench", "tests")

DECLARATION = re.compile(r"^\s*(local|declare|readonly)\s+(?:-\w+\s+)*(.*)$")
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
EARLY_EXIT = re.compile(r"\|\s*(head\s+(-1|-n\s*1)\b|grep\s+(-\w*q\w*)\b)")
BY_NAME = re.compile(r"(^|[\s;&|(`$])(pkill|killall|pidof)\b")


def is_shell_script(path):
    if path.endswith(".sh"):
        return True
    try:
        with open(path, "rb") as f:
            first = f.readline()
    except OSError:
        return False
    return first.startswith(b"#!") and re.search(rb"\b(ba)?sh\b", first)


def code_of(line):
    """The line without a trailing comment (a '#' after a space, outside
    quotes; good enough for these scripts)."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def words(text):
    """Shell words of a simple command, split on unquoted blanks."""
    out, word, quote = [], "", None
    for c in text:
        if quote:
            word += c
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
            word += c
        elif c.isspace():
            if word:
                out.append(word)
            word = ""
        else:
            word += c
    if word:
        out.append(word)
    return out


def check_file(path, rel):
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    pipefail = any("pipefail" in code_of(line) and "set " in line
                   for line in lines)
    findings = []
    for number, line in enumerate(lines, 1):
        code = code_of(line)
        if not code.strip():
            continue
        m = DECLARATION.match(code)
        if m:
            assigned = []
            for word in words(m.group(2).split(";")[0]):
                a = ASSIGNMENT.match(word)
                name, value = (a.group(1), a.group(2)) if a else (word, "")
                for earlier in assigned:
                    if re.search(rf"\$(\{{)?{earlier}\b", value):
                        findings.append(
                            f"{rel}:{number}: `{m.group(1)}` word {name}= "
                            f"reads ${earlier}, which the same command "
                            "assigns: it gets the caller's value; declare "
                            f"{name} in a `{m.group(1)}` of its own")
                if a:
                    assigned.append(name)
        # A `bash -c '...'` string runs in a shell without pipefail.
        if pipefail and EARLY_EXIT.search(code) and \
                not re.search(r"\b(ba)?sh -c ", code) and \
                not re.search(r"\|\|\s*true\s*\)?\s*$", code.rstrip()):
            findings.append(f"{rel}:{number}: a reader that exits early "
                            "(head -1, grep -q) under pipefail: the writer may "
                            "die of SIGPIPE and fail the script; let the "
                            "reader read everything (awk 'NR == 1', "
                            "find -print -quit, [[ $(...) == *x* ]])")
        if BY_NAME.search(code):
            findings.append(f"{rel}:{number}: stops or finds a process by "
                            "name; use the pid it was started with")
    return findings


def main():
    root = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else TOP
    findings, checked = [], 0
    for folder in FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if name == os.path.basename(__file__) or \
                        not is_shell_script(path):
                    continue
                checked += 1
                findings += check_file(path, os.path.relpath(path, root))
    for finding in findings:
        print(finding)
    print(f"{checked} shell scripts checked, {len(findings)} findings")
    return 1 if findings or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
