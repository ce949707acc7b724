#!/usr/bin/env python3
"""Checks that every service, RPC, message, enum, oneof and field of the
v1 API has a comment, as docs/api.md promises.

A declaration counts as commented when the line above it is a // comment,
when it has a trailing // comment, or, for a field, when it belongs to a run
of adjacent fields (no blank line between) whose first field is commented:
one comment may document a group such as `aic` and `aicc`.

Usage: check_proto_comments.py FILE.proto...   Exit 1 listing what lacks one.
"""
import re
import sys

DECLARATION = re.compile(
    r"^\s*(service|rpc|message|enum|oneof)\s+(\w+)"
    r"|^\s*(?:optional\s+|repeated\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+")
ENUM_VALUE = re.compile(r"^\s*[A-Z][A-Z0-9_]*\s*=\s*\d+")


def check(path):
    missing = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    group_commented = False  # The current run of adjacent fields is.
    previous_was_field = False
    block = []  # Kinds of the enclosing blocks, innermost last.
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        above = lines[number - 2].strip() if number >= 2 else ""
        commented = above.startswith("//") or "//" in line
        match = DECLARATION.match(line)
        in_enum = bool(block) and block[-1] == "enum"
        if match and not in_enum and not stripped.startswith(
                ("syntax", "package", "import", "option", "reserved")):
            kind = match.group(1) or "field"
            name = match.group(2) or match.group(3)
            if kind == "field":
                if not previous_was_field:
                    group_commented = commented
                elif commented:
                    group_commented = True
                if not (commented or group_commented):
                    missing.append(f"{path}:{number}: field {name}")
                previous_was_field = True
            else:
                if not commented:
                    missing.append(f"{path}:{number}: {kind} {name}")
                previous_was_field = False
        elif not (in_enum and ENUM_VALUE.match(line)):
            previous_was_field = False
        if match and match.group(1) in ("service", "message", "enum", "oneof"):
            if "{" in line and "}" not in line:
                block.append(match.group(1))
        elif stripped.endswith("{"):
            block.append("other")
        if stripped.startswith("}") and block:
            block.pop()
    return missing


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    missing = []
    for path in sys.argv[1:]:
        missing += check(path)
    for m in missing:
        print(f"no comment: {m}")
    checked = len(sys.argv) - 1
    print(f"{checked} files checked, {len(missing)} declarations without a comment")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
