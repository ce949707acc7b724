#!/usr/bin/env python3
"""The scalebench CLI against the real scalebench-coordinator binary:
submit prints the name last, status and cancel see it, and watch survives
the coordinator being stopped (SIGTERM) and started again on the same
store, printing each event once and exiting 1 with the cancel's reason.

Usage: check_remote_commands.py --bin DIR    (DIR holds the binaries)
Prints one line per check and 'N passed, M failed'; exits 1 on a failure.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import Checks  # noqa: E402

TIMEOUT_S = 30
SPEC = """name: e2e
repetitions: 2
order: sequential
loadgen:
  duration: 1s
sweep:
  instances: [1, 2]
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="folder of the binaries")
    options = parser.parse_args()
    cli = os.path.join(options.bin, "scalebench")
    coordinator_bin = os.path.join(options.bin, "scalebench-coordinator")
    checks = Checks()
    port = free_port()
    env = dict(os.environ, SCALEBENCH_COORDINATOR=f"127.0.0.1:{port}")
    for name in ("SCALEBENCH_CA", "SCALEBENCH_CERT", "SCALEBENCH_KEY"):
        env.pop(name, None)

    def run(*args):
        return subprocess.run([cli] + list(args), capture_output=True,
                              text=True, timeout=TIMEOUT_S, env=env,
                              stdin=subprocess.DEVNULL)

    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "spec.yaml")
        with open(spec, "w") as f:
            f.write(SPEC)
        db = os.path.join(tmp, "c.db")

        def start():
            p = subprocess.Popen(
                [coordinator_bin, "--listen", f"127.0.0.1:{port}", "--db", db],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if not wait_listening(port):
                p.kill()
                raise RuntimeError("the coordinator did not listen")
            return p

        coordinator = start()
        watch = None
        try:
            # No worker ever joins: without --allow-waiting submit refuses.
            r = run("submit", spec)
            checks.expect(r.returncode == 1 and not r.stdout and
                          "no worker is synchronizing" in r.stderr,
                          "submit refuses what no worker there can run",
                          f"rc={r.returncode} out={r.stdout!r} err={r.stderr!r}")
            r = run("submit", spec, "--allow-waiting")
            last = r.stdout.splitlines()[-1] if r.stdout else ""
            checks.expect(r.returncode == 0 and last == "experiments/exp-000001",
                          "submit prints the experiment's name last",
                          f"rc={r.returncode} out={r.stdout!r} err={r.stderr!r}")
            r = run("status")
            checks.expect(r.returncode == 0 and "experiments/exp-000001  e2e"
                          in r.stdout, "status lists it",
                          f"rc={r.returncode} out={r.stdout!r}")

            watch = subprocess.Popen([cli, "watch", "exp-000001"], env=env,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL)
            time.sleep(0.5)  # Let it attach; a later attach is fine too.
            coordinator.send_signal(signal.SIGTERM)
            coordinator.wait(timeout=TIMEOUT_S)
            time.sleep(1.5)  # Down long enough for a few refused probes.
            coordinator = start()
            r = run("cancel", "exp-000001")
            checks.expect(r.returncode == 0 and r.stdout ==
                          "experiments/exp-000001: cancelled: cancelled by "
                          "request\n", "cancel prints the resulting state",
                          f"rc={r.returncode} out={r.stdout!r} err={r.stderr!r}")
            out, err = watch.communicate(timeout=TIMEOUT_S)
            # With no worker, the experiment says at most once what it
            # waits for (not at all when the cancel beats the scheduler's
            # first pass; first_run_test.py waits for it); where that line
            # falls depends on when watch attached.
            waiting = [line for line in out.splitlines()
                       if line.startswith("[0/4] waiting: ")]
            # Each waiting trial's reason follows it, indented.
            trial_waits = [line for line in out.splitlines()
                           if line.startswith("  trial")]
            checks.expect(
                len(trial_waits) <= 1 and
                all("no worker is synchronizing" in w for w in trial_waits),
                "watch shows at most once what the trials wait for",
                f"out={out!r}")
            checks.expect(
                len(waiting) <= 1 and all("no worker is synchronizing" in w
                                          for w in waiting),
                "watch shows at most once what the experiment waits for",
                f"out={out!r}")
            lines = [line for line in out.splitlines()
                     if line not in waiting and line not in trial_waits]
            checks.expect(watch.returncode == 1,
                          "watch exits 1 for a cancelled experiment",
                          f"rc={watch.returncode} err={err!r}")
            checks.expect(
                lines[:2] == ["[0/4] experiment created: 2 configurations x "
                              "2 repetitions = 4 trials",
                              "coordinator unavailable, reconnecting..."]
                and lines.count("coordinator unavailable, reconnecting...")
                == 1 and lines.count("[0/4] cancelled by request") == 1,
                "watch survives the restart and shows each event once",
                f"out={out!r}")
            checks.expect(
                err == "scalebench watch: experiments/exp-000001 cancelled: "
                       "0 of 4 trials succeeded, 0 failed: cancelled by "
                       "request\n",
                "watch says why the experiment ended", f"err={err!r}")
        finally:
            if watch is not None and watch.poll() is None:
                watch.kill()
                watch.wait()
            coordinator.send_signal(signal.SIGTERM)
            try:
                coordinator.wait(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                coordinator.kill()
                coordinator.wait()

    r = run("status")
    checks.expect(r.returncode == 1 and "cannot reach the coordinator at "
                  f"127.0.0.1:{port}" in r.stderr,
                  "without a coordinator: exit 1 and what to do",
                  f"rc={r.returncode} err={r.stderr!r}")
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
