#!/usr/bin/env python3
"""Runs build/bin/scalebench fit on inputs that cannot identify a model.

Each case must exit 2, print a message naming the problem on stderr,
print nothing on stdout (or, with --by, every group, the one that cannot
be fitted with an "error" and nulls), and never print NaN or infinity. Uses only the standard library.

usage: check_fit_errors.py --scalebench build/bin/scalebench
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

# (name, csv text, extra flags, expected exit, text expected on stderr)
CASES = [
    ("too few points", "n,rps\n1,10\n2,20\n", ["--model", "linear"], 2,
     "needs at least 3 points"),
    ("quadratic on three points", "n,rps\n1,10\n2,20\n3,25\n",
     ["--model", "poly:2"], 2, "needs at least 4 points"),
    ("all x equal", "n,rps\n3,10\n3,20\n3,25\n", ["--model", "linear"], 2,
     "all x values are equal (x = 3)"),
    ("too few distinct x", "n,rps\n1,10\n1,11\n2,20\n2,21\n",
     ["--model", "poly:2"], 2, "only 2 distinct x values"),
    ("all y equal", "n,rps\n1,5\n2,5\n3,5\n", ["--model", "linear"], 2,
     "all y values are equal"),
    ("non-positive throughput", "n,rps\n1,10\n2,0\n3,30\n4,35\n",
     ["--model", "usl"], 2, "non-positive throughput y = 0 at point 2"),
    ("non-positive N", "n,rps\n0,10\n2,20\n3,30\n4,35\n",
     ["--model", "amdahl"], 2, "needs positive x"),
    ("usl on three points", "n,rps\n1,10\n2,18\n4,30\n", ["--model", "usl"],
     2, "needs at least 4 points"),
    ("missing column", "n,throughput\n1,10\n", ["--model", "linear"], 2,
     "--y: no column named 'rps' in "),
    ("missing column, its columns", "n,throughput\n1,10\n",
     ["--model", "linear"], 2, " (the columns are: n, throughput)"),
    ("missing --by column", "n,rps\n1,10\n", ["--model", "linear", "--by",
     "platform"], 2, "--by: no column named 'platform'"),
    ("non-numeric cell", "n,rps\n1,10\n2,fast\n3,30\n",
     ["--model", "linear"], 2, ":3: column 'rps' holds 'fast', which is not a number"),
    ("empty cell", "n,rps\n1,10\n2,\n3,30\n", ["--model", "linear"], 2,
     ":3: column 'rps' is empty"),
    ("nan cell", "n,rps\n1,10\n2,nan\n3,30\n", ["--model", "linear"], 2,
     "not a finite number"),
    ("ragged row", "n,rps\n1,10\n2,20,7\n", ["--model", "linear"], 2,
     ":3: 3 cells, but the header has 2 columns"),
    ("empty file", "", ["--model", "linear"], 2, "no header row"),
    # Issue 25: usl and amdahl crashed (SIGSEGV) on a header without rows.
    ("header only, linear", "n,rps\n", ["--model", "linear"], 2,
     "no rows to fit"),
    ("header only, usl", "n,rps\n", ["--model", "usl"], 2, "no rows to fit"),
    ("header only, amdahl", "n,rps\n", ["--model", "amdahl"], 2,
     "no rows to fit"),
    ("usl on one point", "n,rps\n1,10\n", ["--model", "usl"], 2,
     "needs at least 4 points (one residual degree of freedom); got 1"),
    ("unknown model", "n,rps\n1,10\n2,20\n3,30\n", ["--model", "cubic"], 2,
     "--model must be poly:D (2 <= D <= 10), linear, usl or amdahl"),
    ("poly:1 is linear", "n,rps\n1,10\n2,20\n3,30\n",
     ["--model", "poly:1"], 2, "write --model linear"),
    ("train without test", "n,rps,hosts\n1,10,1\n", ["--model", "linear",
     "--train", "hosts=1"], 2, "give --train and --test together"),
    ("no test rows", "n,rps,hosts\n1,10,1\n2,20,1\n3,31,1\n",
     ["--model", "linear", "--train", "hosts=1", "--test", "hosts=2"], 2,
     "there are no test rows"),
    ("row in train and test", "n,rps,hosts\n1,10,1\n2,20,1\n3,31,1\n",
     ["--model", "linear", "--train", "hosts=1", "--test", "hosts=1"], 2,
     ":2: the row matches both --train hosts=1 and --test hosts=1"),
    ("perfect fit prints no infinity", "n,rps\n1,3\n2,5\n3,7\n4,9\n",
     ["--model", "linear"], 0, ""),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalebench", required=True)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory(prefix="scalebench-errors-") as tmp:
        for index, (name, text, flags, code, message) in enumerate(CASES):
            path = os.path.join(tmp, f"case{index}.csv")
            with open(path, "w") as f:
                f.write(text)
            for json_flag in ([], ["--output", "json"]):
                command = [args.scalebench, "fit", "--data", path, "--x", "n",
                           "--y", "rps"] + flags + json_flag
                run = subprocess.run(command, capture_output=True, text=True)
                where = f"{name}{' --output json' if json_flag else ''}"
                if run.returncode != code:
                    failures.append(f"{where}: exit {run.returncode}, "
                                    f"expected {code}: {run.stderr.strip()}")
                if message not in run.stderr:
                    failures.append(f"{where}: stderr lacks {message!r}: "
                                    f"{run.stderr.strip()!r}")
                if code != 0 and run.stdout:
                    failures.append(f"{where}: printed {run.stdout!r}")
                if re.search(r"\b(nan|inf|infinity)\b",
                             run.stdout + run.stderr, re.IGNORECASE) and \
                        "nan cell" not in name:
                    failures.append(f"{where}: NaN or infinity in the output")
                if code == 0 and json_flag:
                    json.loads(run.stdout)
        # With --by, the groups that can be fitted are still printed.
        path = os.path.join(tmp, "groups.csv")
        with open(path, "w") as f:
            f.write("p,n,rps\na,1,10\na,2,19\na,3,29\nb,2,5\nb,2,6\nb,2,7\n")
        run = subprocess.run([args.scalebench, "fit", "--data", path, "--x",
                              "n", "--y", "rps", "--model", "linear", "--by",
                              "p", "--output", "json"], capture_output=True, text=True)
        document = json.loads(run.stdout) if run.stdout else {}
        fits = {fit["group"].get("p"): fit
                for fit in document.get("fits", [])}
        if run.returncode != 2 or sorted(document) != ["fits", "spec"] \
                or len(fits.get("a", {}).get("parameters") or []) != 2 \
                or fits.get("a", {}).get("error") is not None \
                or "all x values are equal" not in (
                    fits.get("b", {}).get("error") or "") \
                or fits.get("b", {}).get("parameters", []) is not None \
                or "p = b" not in run.stderr:
            failures.append(f"--by with one bad group: exit {run.returncode}, "
                            f"stdout {run.stdout!r}, stderr {run.stderr!r}")
    for failure in failures:
        print("FAIL " + failure)
    total = 2 * len(CASES) + 1
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
