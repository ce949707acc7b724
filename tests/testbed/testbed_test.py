#!/usr/bin/env python3
"""The one-machine testbed (deploy/testbed/testbed) comes up and goes away
cleanly.

  up 3         exits 0 and prints exactly the four SCALEBENCH_ lines;
               `status` exits 0; the three workers h1..h3 are registered
               and idle, each with its own address and the cpus of its
               cgroup; `up 3` again prints identical lines; `up 2` is
               refused with exit 2
  down         exits 0; afterwards no sbtb- namespace, no sbtb- link or
               bridge, no testbed cgroup, no process whose command line
               contains the state dir, no mount under it; `status` exits 1;
               `down` again exits 0
  waits        (issue 27) on `up 2`, examples/cross-host-own-balancer.yaml
               (hosts: 2 with a balancer on its own host: 3 hosts) is
               refused by `submit` with exit 1, naming the configuration,
               the third host it lacks and the workers h1, h2, and nothing
               is created; with --allow-waiting it is submitted with that
               warning, `status` and `watch` say what its trials wait for,
               and cancel ends it; then `down`

Usage: testbed_test.py --bin DIR
Needs root. Uses its own state dir (SCALEBENCH_TESTBED_DIR), but the
namespace, link and cgroup names are fixed: do not run it beside another
testbed. Prints one line per check and 'N passed, M failed'; exit 1 on a
failure. Whatever fails, it runs `down` before it exits.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import Checks  # noqa: E402
from cluster import our_processes  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTBED = os.path.join(TOP, "deploy", "testbed", "testbed")
ENV_KEYS = ["SCALEBENCH_COORDINATOR", "SCALEBENCH_CA", "SCALEBENCH_CERT",
            "SCALEBENCH_KEY"]


def output(*args):
    return subprocess.run(args, capture_output=True, text=True).stdout


class Testbed:
    def __init__(self, bin_dir, state):
        self.state = state
        self.env = dict(os.environ, SCALEBENCH_BIN=bin_dir,
                        SCALEBENCH_TESTBED_DIR=state)
        self.bin = bin_dir

    def run(self, *args, timeout=180):
        return subprocess.run([TESTBED, *args], capture_output=True,
                              text=True, timeout=timeout, env=self.env)

    def workers(self, lines):
        env = dict(os.environ)
        env.update(line.split("=", 1) for line in lines)
        r = subprocess.run([os.path.join(self.bin, "scalebench"), "workers",
                            "--output", "json"], capture_output=True,
                           text=True, timeout=60, env=env)
        if r.returncode != 0:
            raise RuntimeError(f"scalebench workers: {r.stderr}")
        return {w["name"].split("/")[-1]: w
                for w in json.loads(r.stdout).get("workers", [])}


def check_up(testbed, checks):
    r = testbed.run("up", "3")
    checks.expect(r.returncode == 0, "up 3 exits 0",
                  f"exit {r.returncode}: {r.stderr[-2000:]}")
    lines = r.stdout.splitlines()
    checks.expect([line.split("=", 1)[0] for line in lines] == ENV_KEYS,
                  "up 3 prints the four SCALEBENCH_ lines and nothing else",
                  r.stdout)
    checks.expect("SCALEBENCH_COORDINATOR=10.213.0.2:7300" in lines,
                  "the coordinator is at 10.213.0.2:7300", r.stdout)
    for line in lines[1:]:
        path = line.split("=", 1)[1]
        checks.expect(os.path.isfile(path), f"{line.split('=')[0]} exists",
                      path)

    r = testbed.run("status")
    checks.expect(r.returncode == 0, "status exits 0 when up",
                  f"exit {r.returncode}: {r.stdout}{r.stderr}")
    checks.expect("cgroup v1" in r.stdout or "cgroup v2" in r.stdout,
                  "status names the cgroup kind", r.stdout)

    workers = testbed.workers(lines)
    checks.expect(sorted(workers) == ["h1", "h2", "h3"],
                  "h1, h2 and h3 are registered", sorted(workers))
    checks.expect(all(w.get("status") == "WORKER_STATUS_IDLE"
                      for w in workers.values()),
                  "every worker is idle",
                  {n: w.get("status") for n, w in workers.items()})
    for k in (1, 2, 3):
        facts = workers.get(f"h{k}", {}).get("facts", {})
        checks.expect(facts.get("addresses") == [f"10.213.0.{10 + k}"],
                      f"h{k} reports its own address 10.213.0.{10 + k}",
                      facts.get("addresses"))
        cpus = ",".join(str(c) for c in facts.get("cpus", []))
        checks.expect(cpus and f"cpus {cpus} " in r.stdout,
                      f"h{k} reports the cpus of its slice",
                      f"{cpus!r} vs status:\n{r.stdout}")

    again = testbed.run("up", "3")
    checks.expect(again.returncode == 0 and again.stdout == "\n".join(lines) + "\n",
                  "up 3 again prints identical lines",
                  f"exit {again.returncode}: {again.stdout!r} {again.stderr}")
    checks.expect("starting" not in again.stderr,
                  "up 3 again starts nothing", again.stderr)
    other = testbed.run("up", "2")
    checks.expect(other.returncode == 2 and "down" in other.stderr,
                  "up 2 while up with 3 is refused with exit 2, saying down",
                  f"exit {other.returncode}: {other.stderr}")
    checks.expect(sorted(testbed.workers(lines)) == ["h1", "h2", "h3"],
                  "the refused up 2 left the three workers alone")


def check_down(testbed, checks):
    r = testbed.run("down")
    checks.expect(r.returncode == 0, "down exits 0",
                  f"exit {r.returncode}: {r.stderr[-2000:]}")
    namespaces = [n for n in output("ip", "netns", "list").split()
                  if n.startswith("sbtb-")]
    checks.expect(not namespaces, "no sbtb- namespace is left", namespaces)
    links = [line for line in output("ip", "-o", "link", "show").splitlines()
             if "sbtb" in line]
    checks.expect(not links, "no testbed link or bridge is left",
                  "\n".join(links))
    cgroups = glob.glob("/sys/fs/cgroup/sbtb") + \
        glob.glob("/sys/fs/cgroup/*/sbtb")
    checks.expect(not cgroups, "no testbed cgroup is left", cgroups)
    left = our_processes(testbed.state)
    checks.expect(not left, "no process of the testbed is left",
                  "\n".join(left))
    mounts = [m for m in output("findmnt", "-rn", "-o", "TARGET").splitlines()
              if m.startswith(testbed.state)]
    checks.expect(not mounts, "no mount under the state dir is left", mounts)
    r = testbed.run("status")
    checks.expect(r.returncode == 1, "status exits 1 when down",
                  f"exit {r.returncode}: {r.stdout}")
    r = testbed.run("down")
    checks.expect(r.returncode == 0, "down again exits 0",
                  f"exit {r.returncode}: {r.stderr}")


def check_waits(testbed, checks):
    r = testbed.run("up", "2")
    checks.expect(r.returncode == 0, "waits: up 2 exits 0",
                  f"exit {r.returncode}: {r.stderr[-2000:]}")
    lines = r.stdout.splitlines()
    env = dict(os.environ)
    env.update(line.split("=", 1) for line in lines)

    def cli(*args, timeout=60):
        return subprocess.run([os.path.join(testbed.bin, "scalebench"),
                               *args], capture_output=True, text=True,
                              timeout=timeout, env=env)

    spec = os.path.join(TOP, "examples", "cross-host-own-balancer.yaml")
    missing = ("needs 3 free hosts: 2 that run native and one more that "
               "runs haproxy; 2 found (2 workers synchronizing: h1, h2)")
    r = cli("submit", spec)
    checks.expect(r.returncode == 1 and missing in r.stderr and
                  "configuration " in r.stderr and not r.stdout,
                  "waits: submit refuses the 3-host example on 2 hosts "
                  "(exit 1), naming the missing host",
                  f"exit {r.returncode}: {r.stdout}{r.stderr}")
    r = cli("status", "--output", "json")
    checks.expect(r.returncode == 0 and
                  not json.loads(r.stdout).get("experiments"),
                  "waits: the refused submit created nothing",
                  r.stdout + r.stderr)

    r = cli("submit", spec, "--allow-waiting")
    name = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    checks.expect(r.returncode == 0 and name.startswith("experiments/") and
                  "warning: " in r.stderr and missing in r.stderr,
                  "waits: --allow-waiting submits it with the warning",
                  f"exit {r.returncode}: {r.stdout}{r.stderr}")
    if not name.startswith("experiments/"):
        return
    watch = subprocess.Popen([os.path.join(testbed.bin, "scalebench"),
                              "watch", name], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    watched = []  # its output so far, read as it comes
    reader = threading.Thread(
        target=lambda: watched.extend(iter(watch.stdout.readline, "")),
        daemon=True)
    reader.start()
    # The 1-host configurations run; then a 3-host trial waits for ever,
    # and the experiment says so ("waiting: trial ...: needs 3 ..."), which
    # is when watch shows it (the trials' own reasons are there from the
    # start, so they alone do not mean the watch has had its event).
    deadline = time.monotonic() + 300
    status = ""
    while time.monotonic() < deadline:
        status = cli("status", name).stdout
        if "\nwaiting: " in status and missing in status:
            break
        time.sleep(2)
    # watch prints the waiting lines once it has read the event.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
            "waiting: " in "".join(watched) and missing in "".join(watched)):
        time.sleep(0.2)
    checks.expect(("wait: " in status or "waits: " in status) and
                  missing in status,
                  "waits: status says what the waiting trials wait for, "
                  "naming the missing host", status[-3000:])
    r = cli("cancel", name)
    checks.expect(r.returncode == 0, "waits: cancel is accepted",
                  r.stdout + r.stderr)
    try:
        watch.wait(timeout=120)
    except subprocess.TimeoutExpired:
        watch.kill()
        watch.wait()
    reader.join(timeout=10)
    out, err = "".join(watched), watch.stderr.read()
    checks.expect("waiting: " in out and missing in out and
                  ("wait: " in out or "waits: " in out),
                  "waits: watch names the missing host and what each "
                  "waiting trial waits for", out[-3000:] + err[-1000:])
    r = testbed.run("down")
    checks.expect(r.returncode == 0, "waits: down exits 0",
                  f"exit {r.returncode}: {r.stderr[-2000:]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    args = parser.parse_args()
    checks = Checks()
    # Short: the private dockerds' socket paths must stay under 107 bytes.
    parent = tempfile.mkdtemp(prefix="sbtb-t-")
    os.chmod(parent, 0o755)  # nginx's workers (nobody) traverse the state
    state = os.path.join(parent, "tb")
    testbed = Testbed(os.path.abspath(args.bin), state)
    try:
        check_up(testbed, checks)
    except Exception as e:  # A broken step is a failed check, not a crash.
        checks.expect(False, "up: ran to the end", repr(e))
    try:
        check_down(testbed, checks)
    except Exception as e:
        checks.expect(False, "down: ran to the end", repr(e))
    try:
        check_waits(testbed, checks)
    except Exception as e:
        checks.expect(False, "waits: ran to the end", repr(e))
    finally:
        testbed.run("down")
        try:
            os.rmdir(parent)  # only when down left it empty
        except OSError:
            pass
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
