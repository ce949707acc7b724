#!/usr/bin/env python3
"""Holds every scalebench binary to the one command-line dialect:

- --version prints "NAME VERSION" on stdout and exits 0;
- --help prints usage on stdout and exits 0;
- an unknown flag exits 2 with a message naming it on stderr, nothing on
  stdout;
- a repeated single-valued flag exits 2 naming it;
- --output json prints one valid JSON document and exits 0 (binaries that
  print a result: the daemon's coordinator prints none).

The load generator's JSON run goes to a tiny HTTP server this script starts
on 127.0.0.1, bounded to 20 requests.

Usage: check_conventions.py --bin DIR    (DIR holds the binaries)
Prints one line per check and 'N passed, M failed'; exits 1 on a failure.
"""
import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import Checks  # noqa: E402

TIMEOUT_S = 60


def run(binary, args):
    return subprocess.run([binary] + args, capture_output=True, text=True,
                          timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"hello\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def check_binary(checks, name, binary, repeated, flag, json_args):
    r = run(binary, ["--version"])
    checks.expect(r.returncode == 0 and r.stdout.startswith(name + " ")
                  and r.stderr == "",
                  f"{name} --version", f"rc={r.returncode} out={r.stdout!r}")
    r = run(binary, ["--help"])
    checks.expect(r.returncode == 0 and "Usage:" in r.stdout,
                  f"{name} --help", f"rc={r.returncode} out={r.stdout[:200]!r}")
    r = run(binary, ["--frobnicate"])
    checks.expect(r.returncode == 2 and "--frobnicate" in r.stderr
                  and r.stdout == "",
                  f"{name} --frobnicate exits 2 naming the flag",
                  f"rc={r.returncode} err={r.stderr!r} out={r.stdout!r}")
    r = run(binary, repeated)
    checks.expect(r.returncode == 2 and flag in r.stderr,
                  f"{name}: {flag} given twice exits 2 naming it",
                  f"rc={r.returncode} err={r.stderr!r}")
    if json_args is None:
        return  # A daemon: it prints no result.
    r = run(binary, json_args)
    try:
        json.loads(r.stdout)
        valid = True
    except ValueError as e:
        valid = False
        r.stderr += f" (JSON: {e})"
    checks.expect(r.returncode == 0 and valid,
                  f"{name} --output json prints valid JSON",
                  f"rc={r.returncode} err={r.stderr!r} out={r.stdout[:200]!r}")


def check_commands(checks, binary, spec):
    """The dialect per scalebench command: --help, unknown and repeated
    flags; validate's JSON; --output table as the text format. None of
    these reach a coordinator."""
    commands = {
        "submit": ["submit", spec],
        "validate": ["validate", spec],
        "watch": ["watch", "exp-000001"],
        "status": ["status"],
        "workers": ["workers"],
        "cancel": ["cancel", "exp-000001"],
        "results": ["results", "exp-000001"],
    }
    for name, args in commands.items():
        r = run(binary, [name, "--help"])
        checks.expect(r.returncode == 0 and "Usage:" in r.stdout
                      and "Examples:" in r.stdout,
                      f"scalebench {name} --help teaches, with examples",
                      f"rc={r.returncode} out={r.stdout[:200]!r}")
        r = run(binary, args + ["--frobnicate"])
        checks.expect(r.returncode == 2 and "--frobnicate" in r.stderr
                      and r.stdout == "",
                      f"scalebench {name} --frobnicate exits 2 naming it",
                      f"rc={r.returncode} err={r.stderr!r}")
        r = run(binary, args + ["--coordinator", "127.0.0.1:1",
                                "--coordinator", "127.0.0.1:2"]
                if name != "validate" else args + ["-o", "text", "-o", "json"])
        flag = "--coordinator" if name != "validate" else "--output"
        checks.expect(r.returncode == 2 and flag in r.stderr,
                      f"scalebench {name}: {flag} given twice exits 2",
                      f"rc={r.returncode} err={r.stderr!r}")
    r = run(binary, ["validate", spec, "--output", "json"])
    try:
        doc = json.loads(r.stdout)
        valid = isinstance(doc.get("configurations"), list)
    except ValueError as e:
        valid = False
        r.stderr += f" (JSON: {e})"
    checks.expect(r.returncode == 0 and valid,
                  "scalebench validate --output json prints valid JSON",
                  f"rc={r.returncode} err={r.stderr!r} out={r.stdout[:200]!r}")
    text = run(binary, ["validate", spec])
    table = run(binary, ["validate", spec, "--output", "table"])
    checks.expect(table.returncode == 0 and table.stdout == text.stdout,
                  "scalebench --output table is the text format",
                  f"rc={table.returncode} err={table.stderr!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="folder of the binaries")
    options = parser.parse_args()
    checks = Checks()

    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "points.csv")
        with open(csv, "w") as f:
            f.write("n,rps\n1,100\n2,190\n3,310\n4,395\n")
        check_binary(
            checks, "scalebench", os.path.join(options.bin, "scalebench"),
            ["fit", "--data", csv, "--x", "n", "--y", "rps", "--model",
             "linear", "--model", "usl"], "--model",
            ["fit", "--data", csv, "--x", "n", "--y", "rps", "--model",
             "linear", "--output", "json"])

        spec = os.path.join(tmp, "spec.yaml")
        with open(spec, "w") as f:
            f.write("name: c\nloadgen:\n  duration: 1s\n")
        check_commands(checks, os.path.join(options.bin, "scalebench"), spec)
        check_binary(
            checks, "scalebench-worker",
            os.path.join(options.bin, "scalebench-worker"),
            ["run-trial", spec, "--configuration", "0", "--configuration",
             "0"], "--configuration",
            ["run-trial", spec, "--dry-run", "--output", "json",
             "--state-dir", os.path.join(tmp, "state")])
        check_binary(
            checks, "scalebench-coordinator",
            os.path.join(options.bin, "scalebench-coordinator"),
            ["--listen", "127.0.0.1:1", "--listen", "127.0.0.1:2"], "--listen",
            None)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        check_binary(
            checks, "scalebench-loadgen",
            os.path.join(options.bin, "scalebench-loadgen"),
            ["-n", "10", "-c", "1", "-c", "2", url], "--connections",
            ["-n", "20", "-c", "2", "-t", "1", "--output", "json", url])
    finally:
        server.shutdown()
        server.server_close()

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
