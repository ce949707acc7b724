#!/usr/bin/env python3
"""What the largest inputs scalebench accepts cost, and how fast it refuses
the ones it does not (docs/limits.md): each step's wall time, exit code
and, for the CLI's analysis commands, peak memory.

  coordinator  a coordinator with no worker: the largest experiment (100
               x 100 configurations, 10,000 trials) submitted, shown by
               status (every page), the coordinator's CPU while it waits
               for hosts, cancelled; a usl model's results
               before any row exists; and after each, how long `status`
               takes to answer
  analysis     `fit` and `changepoints` on /dev/zero, a 100 MB CSV, and
               400,000 rows with CR-only line endings

There is no peer tool to alternate with: these are our bounds alone, the
figures behind issue 25's "within 1 s / 2 s / 5 s, under 256 MB".

Usage: bench/input_bounds.py [--bin build/bin]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "support"))
from cluster import Cluster, make_tmp  # noqa: E402

LARGEST = """name: largest
repetitions: 1
loadgen:
  duration: 1s
sweep:
  instances: [{levels}]
  connections: [{levels}]
"""

USL_WITHOUT_BY = """name: usl-no-rows
repetitions: 1
loadgen:
  duration: 1s
sweep:
  instances: [1, 2]
models:
  - {fit: usl, x: instances, y: requests_per_s}
"""


IDLE_S = 5


def cpu_seconds(pid):
    """User + system CPU time of process `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label, run):
    started = time.monotonic()
    r = run()
    took = time.monotonic() - started
    print(f"{label:58s} {took * 1000:9.0f} ms  exit {r.returncode}")
    return r


def measured(label, argv):
    """Runs argv; prints wall time, exit code and peak RSS (wait4)."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.monotonic() - started
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    print(f"{label:58s} {took * 1000:9.0f} ms  exit {code}  "
          f"peak {usage.ru_maxrss / 1024:6.0f} MB  {err[-1][:60] if err else ''}")


def coordinator(bin_dir):
    tmp = make_tmp("sb-bounds-")
    cluster = Cluster(bin_dir, tmp)
    try:
        cluster.start_coordinator()
        status = lambda: cluster.cli("status", timeout=30)  # noqa: E731
        levels = ", ".join(str(i) for i in range(1, 101))
        path = os.path.join(tmp, "largest.yaml")
        with open(path, "w") as f:
            f.write(LARGEST.format(levels=levels))
        r = timed("submit the largest experiment (10,000 trials)",
                  lambda: cluster.cli("submit", path, timeout=120))
        name = r.stdout.strip().splitlines()[-1]
        timed("status (all experiments)", status)
        r = timed("status EXP (10,000 trials, every page)",
                  lambda: cluster.cli("status", name, timeout=120))
        print(f"{'':58s} {len(r.stdout.splitlines())} lines")
        pid = cluster.procs["coordinator"].pid
        before = cpu_seconds(pid)
        time.sleep(IDLE_S)
        busy = (cpu_seconds(pid) - before) / IDLE_S
        print(f"{'coordinator CPU while it waits for hosts':58s} "
              f"{busy:9.3f} cores over {IDLE_S} s")
        timed("cancel EXP (10,000 queued trials)",
              lambda: cluster.cli("cancel", name, timeout=120))
        timed("status after the cancel", status)

        path = os.path.join(tmp, "usl.yaml")
        with open(path, "w") as f:
            f.write(USL_WITHOUT_BY)
        r = cluster.cli("submit", path)
        name = r.stdout.strip().splitlines()[-1]
        timed("results EXP: a usl model without by, no rows yet",
              lambda: cluster.cli("results", name))
        timed("status after it", status)
        timed("fit --experiment EXP", lambda: cluster.cli(
            "fit", "--experiment", name))
        timed("status after it", status)
        alive = cluster.procs["coordinator"].poll() is None
        print(f"coordinator still up: {alive}")
    finally:
        cluster.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


def analysis(bin_dir):
    cli = os.path.join(bin_dir, "scalebench")
    tmp = tempfile.mkdtemp(prefix="sb-bounds-csv-")
    try:
        big = os.path.join(tmp, "big.csv")
        with open(big, "w") as f:
            f.write("n,rps\n")
            row = "1,100.5\n" * 100_000
            while f.tell() < 100 * 1000 * 1000:
                f.write(row)
        cr = os.path.join(tmp, "cr.csv")
        with open(cr, "w", newline="") as f:
            f.write("n,rps\r")
            f.write("".join(f"{1 + i % 8},{1000 + i % 97}\r"
                            for i in range(400_000)))
        for data, what in (("/dev/zero", "/dev/zero"),
                           (big, "a 100 MB CSV"),
                           (cr, "400,000 CR-only rows")):
            measured(f"fit --model usl on {what}",
                     [cli, "fit", "--data", data, "--model", "usl",
                      "--x", "n", "--y", "rps"])
            measured(f"changepoints on {what}",
                     [cli, "changepoints", "--data", data, "--x", "n",
                      "--y", "rps"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(TOP, "build", "bin"))
    args = parser.parse_args()
    bin_dir = os.path.abspath(args.bin)
    coordinator(bin_dir)
    analysis(bin_dir)


if __name__ == "__main__":
    main()
