#!/usr/bin/env python3
"""Fault tests on the testbed (deploy/testbed/testbed up 3): a sweep runs
over three hosts in network namespaces, over mutual TLS, while one fault
strikes in the middle of a trial:

  link_down         a host's link is cut until the coordinator declares the
                    host lost (past its liveness window: next
                    synchronization + grace, about 20 s), then restored
  worker_kill       a host's worker is killed with SIGKILL, and restarted
                    (testbed up restarts what died) once it has exited
  coordinator_kill  the coordinator is killed with SIGKILL and restarted
                    once it is gone

Each ends with the sweep succeeded, every trial exactly once in the CSV,
the struck attempt failed and retried, and, after `down`, nothing left.

Usage: faults_test.py --bin DIR --group NAME
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "support"))
from checks import run_groups  # noqa: E402
from cluster import check_results, submit, trials_in_state  # noqa: E402
from testbed import Testbed, check_nothing_left  # noqa: E402

# loadgen.timeout is long so that the measure phase's deadline (start lead
# + duration + request timeout + 10 s of slack: 45 s here) comes well after
# a cut host is declared lost (within about 20 s of its last call): with
# the default 10 s (a 25 s deadline) the two came within seconds of each
# other, and a link cut a little late in the window, as when the machine
# is busy, failed the attempt as a TIMEOUT instead of WORKER_LOST.
# start_tolerance is loose so that only the fault fails an attempt: under
# the suite's load a load generator on this 2-core machine now and then
# wakes more than the default 5 ms after T0 (CI saw one LATE_START beside
# the coordinator_kill's failures); testbed_clock_offset holds the start
# to the default.
SPEC = """name: fault
repetitions: 2
loadgen:
  connections: 4
  duration: 4s
  timeout: 30s
  start_tolerance: 50ms
sweep:
  instances: [1, 2]
  hosts: [1]
timeouts:
  start_lead: 1s
"""
TRIALS = 4
# Longest the coordinator may take to declare a silent host lost: its
# liveness window (hold 5 s + margin 5 s + grace 10 s) and a pass.
LOST_WITHIN_S = 60


def measuring_on(bed, name, host):
    """The trial whose attempt measures on `host` right now, if any."""
    doc = bed.experiment(name) or {}
    for t in doc.get("trials", []):
        if t.get("state") == "TRIAL_STATE_MEASURING" and \
                t["attempts"][-1]["placement"].get("target/0") == host:
            return t["name"]
    return None


def wait_lost(bed, host):
    bed.wait_for(lambda: bed.worker_status(host) == "WORKER_STATUS_LOST",
                 LOST_WITHIN_S, f"the coordinator to declare {host} lost")


def gone(pid):
    """Whether process `pid` has exited (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def run_group(bin_dir, group, checks):
    tmp = tempfile.mkdtemp(prefix="sb-faults-")
    bed = None
    try:
        bed = Testbed(bin_dir, tmp)
        name = submit(bed, checks, SPEC, group)
        watch = bed.cli_async("watch", name)

        victim = None
        if group == "link_down":
            victim = bed.wait_for(lambda: measuring_on(bed, name, "h1"), 120,
                                  "h1 to measure")
            subprocess.run(["ip", "-n", "sbtb-h1", "link", "set", "eth0",
                            "down"], check=True)
            wait_lost(bed, "h1")
            subprocess.run(["ip", "-n", "sbtb-h1", "link", "set", "eth0",
                            "up"], check=True)
        elif group == "worker_kill":
            victim = bed.wait_for(lambda: measuring_on(bed, name, "h2"), 120,
                                  "h2 to measure")
            pid = Testbed.pid_of("h2/worker.pid")
            os.kill(pid, signal.SIGKILL)
            bed.wait_for(lambda: gone(pid), 30, "h2's worker to exit")
            bed.restart_what_died()
        elif group == "coordinator_kill":
            bed.wait_for(
                lambda: trials_in_state(bed.experiment(name) or {},
                                        "TRIAL_STATE_MEASURING") > 0,
                120, "a trial to measure")
            pid = Testbed.pid_of("coord/coordinator.pid")
            os.kill(pid, signal.SIGKILL)
            bed.wait_for(lambda: gone(pid), 30, "the coordinator to exit")
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
        shutil.rmtree(tmp, ignore_errors=True)
    check_nothing_left(checks, f"{group}: after down")


def group(name):
    return lambda bin_dir, checks: run_group(bin_dir, name, checks)


if __name__ == "__main__":
    sys.exit(run_groups(__doc__, {name: group(name) for name in (
        "link_down", "worker_kill", "coordinator_kill")}))
