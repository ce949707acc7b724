#!/usr/bin/env python3
"""Fault tests on the testbed (deploy/testbed/testbed up 3): a sweep runs
over three hosts in network namespaces, over mutual TLS, while one fault
strikes in the middle of a trial:

  link_down         a host's link is cut for longer than its liveness
                    window (next synchronization + grace, 20 s), then
                    restored
  worker_kill       a host's worker is killed with SIGKILL, and restarted
                    (testbed up restarts what died) 20 s later
  coordinator_kill  the coordinator is killed with SIGKILL and restarted

Each ends with the sweep succeeded, every trial exactly once in the CSV,
the struck attempt failed and retried, and, after `down`, nothing left.

Usage: faults_test.py --bin DIR --group NAME
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "support"))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
from checks import Checks  # noqa: E402
from cluster_test import check_results, our_processes, trials_in_state  # noqa: E402

TESTBED = os.path.join(TOP, "deploy", "testbed", "testbed")
STATE = os.environ.get("SCALEBENCH_TESTBED_DIR", "/tmp/sbtb")
SPEC = """name: fault
repetitions: 2
loadgen:
  connections: 4
  duration: 4s
sweep:
  instances: [1, 2]
  hosts: [1]
timeouts:
  start_lead: 1s
"""
TRIALS = 4


class Testbed:
    """The CLI pointed at a testbed this object brought up."""

    def __init__(self, bin_dir):
        self.bin = bin_dir
        self.env = dict(os.environ)
        out = subprocess.run([TESTBED, "up", "3"], capture_output=True,
                             text=True, timeout=120,
                             env=dict(os.environ, SCALEBENCH_BIN=bin_dir))
        if out.returncode != 0:
            raise RuntimeError(f"testbed up 3 failed: {out.stderr}")
        for line in out.stdout.splitlines():
            key, _, value = line.partition("=")
            self.env[key] = value

    def cli(self, *args, timeout=60):
        return subprocess.run([os.path.join(self.bin, "scalebench"), *args],
                              capture_output=True, text=True,
                              timeout=timeout, env=self.env)

    def experiment(self, name):
        import json
        r = self.cli("status", name, "--output", "json")
        return json.loads(r.stdout) if r.returncode == 0 else None

    def wait_for(self, predicate, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.3)
        raise RuntimeError(f"timed out after {timeout}s waiting for {what}")

    def restart_what_died(self):
        out = subprocess.run([TESTBED, "up", "3"], capture_output=True,
                             text=True, timeout=120,
                             env=dict(os.environ, SCALEBENCH_BIN=self.bin))
        if out.returncode != 0:
            raise RuntimeError(f"testbed up 3 (restart) failed: {out.stderr}")

    @staticmethod
    def down():
        subprocess.run([TESTBED, "down"], capture_output=True, timeout=300)


def pid_of(path):
    with open(path) as f:
        return int(f.read().strip())


def measuring_on(bed, name, host):
    """The trial whose attempt measures on `host` right now, if any."""
    doc = bed.experiment(name) or {}
    for t in doc.get("trials", []):
        if t.get("state") == "TRIAL_STATE_MEASURING" and \
                t["attempts"][-1]["placement"].get("target/0") == host:
            return t["name"]
    return None


def run_group(bin_dir, group, checks):
    tmp = tempfile.mkdtemp(prefix="sb-faults-")
    bed = None
    try:
        bed = Testbed(bin_dir)
        spec = os.path.join(tmp, "fault.yaml")
        with open(spec, "w") as f:
            f.write(SPEC)
        r = bed.cli("submit", spec)
        checks.expect(r.returncode == 0, f"{group}: submit exits 0", r.stderr)
        name = r.stdout.strip().splitlines()[-1]
        watch = subprocess.Popen(
            [os.path.join(bin_dir, "scalebench"), "watch", name],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=bed.env)

        victim = None
        if group == "link_down":
            victim = bed.wait_for(lambda: measuring_on(bed, name, "h1"), 120,
                                  "h1 to measure")
            subprocess.run(["ip", "-n", "sbtb-h1", "link", "set", "eth0",
                            "down"], check=True)
            time.sleep(25)  # Past next_synchronization_time + grace.
            subprocess.run(["ip", "-n", "sbtb-h1", "link", "set", "eth0",
                            "up"], check=True)
        elif group == "worker_kill":
            victim = bed.wait_for(lambda: measuring_on(bed, name, "h2"), 120,
                                  "h2 to measure")
            os.kill(pid_of(f"{STATE}/h2/worker.pid"), signal.SIGKILL)
            time.sleep(20)
            bed.restart_what_died()
        elif group == "coordinator_kill":
            bed.wait_for(
                lambda: trials_in_state(bed.experiment(name) or {},
                                        "TRIAL_STATE_MEASURING") > 0,
                120, "a trial to measure")
            os.kill(pid_of(f"{STATE}/coord/coordinator.pid"), signal.SIGKILL)
            time.sleep(2)
            bed.restart_what_died()

        out, err = watch.communicate(timeout=400)
        checks.expect(watch.returncode == 0,
                      f"{group}: the watch started before the fault exits 0",
                      out[-2000:] + err[-2000:])
        doc = check_results(bed, checks, name, TRIALS, group)
        attempts = [a for t in doc["trials"] for a in t["attempts"]]
        failed = [a["failure"]["kind"] for a in attempts if a.get("failure")]
        expected = {
            "link_down": {"FAILURE_KIND_WORKER_LOST"},
            "worker_kill": {"FAILURE_KIND_WORKER_LOST",
                            "FAILURE_KIND_WORKER_RESTARTED"},
            "coordinator_kill": {"FAILURE_KIND_COORDINATOR_RESTARTED"},
        }[group]
        checks.expect(len(failed) >= 1 and set(failed) <= expected,
                      f"{group}: the struck attempt failed as "
                      f"{' or '.join(sorted(expected))}, and was retried",
                      f"{failed}")
        if victim:
            trial = next(t for t in doc["trials"] if t["name"] == victim)
            checks.expect(len(trial["attempts"]) >= 2 and
                          not trial["attempts"][-1].get("failure"),
                          f"{group}: the struck trial succeeded on a retry",
                          f"{trial['attempts']}")
    finally:
        if bed is not None:
            Testbed.down()
    left = our_processes(STATE)
    checks.expect(not left, f"{group}: after down nothing is left running",
                  "\n".join(left))
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True).stdout
    checks.expect("sbtb-" not in netns, f"{group}: no testbed namespace "
                  "is left", netns)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--group", required=True,
                        choices=["link_down", "worker_kill",
                                 "coordinator_kill"])
    args = parser.parse_args()
    checks = Checks()
    try:
        run_group(os.path.abspath(args.bin), args.group, checks)
    except Exception as e:  # A broken step is a failed check, not a crash.
        checks.expect(False, f"{args.group}: ran to the end", repr(e))
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
