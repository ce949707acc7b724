#!/usr/bin/env python3
"""Cross-host trials on the testbed (deploy/testbed/testbed up 3) with the
balancer on a host of its own: examples/cross-host-own-balancer.yaml
(placement: {balancer: own_host}) through submit, watch, results, fit:

  placement   every trial's balancer runs on a host with no target and no
              load generator; a 2-host configuration uses all three hosts
  results     every trial succeeded exactly once; the balancer's host sent
              no load but reported how busy its cores were; every host
              that generated load reported its requests and how often its
              CPU quota (the testbed's slice) was used up
  skew        the largest load-generator start skew of every trial (no
              warm-up, so the skew is measured, not 0 by construction) is
              below 1 ms at the 99th percentile over the trials
  fit         `fit --experiment` prints a verdict and a saturation line
  down        nothing of the testbed is left

Usage: cross_host_test.py --bin DIR
Needs root; uses the fixed sbtb- names. Prints one line per check and
'N passed, M failed'; exit 1 on a failure. Whatever fails, it runs `down`.
"""
import argparse
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "support"))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
from checks import Checks  # noqa: E402
from cluster_test import check_results, our_processes  # noqa: E402
from faults_test import STATE, Testbed  # noqa: E402

SPEC = os.path.join(TOP, "examples", "cross-host-own-balancer.yaml")
# The example's instances x hosts with at least one instance per host:
# (1,1), (2,1), (2,2); twice each.
TRIALS = 6
SKEW_LIMIT_US = 1000


def check_placement(checks, doc):
    bad = []
    three_hosts = 0
    for trial in doc["trials"]:
        roles = trial["attempts"][-1]["placement"]
        front = roles.get("balancer")
        others = [w for role, w in roles.items() if role != "balancer"]
        if front is None or front in others:
            bad.append(f"{trial['name']}: {roles}")
        if len(set(roles.values())) == 3:
            three_hosts += 1
    checks.expect(not bad, "placement: every balancer runs on a host that "
                  "has no target and no load generator", "\n".join(bad))
    checks.expect(three_hosts == 2, "placement: the two 2-host trials use "
                  "all three hosts", f"{three_hosts}")


def check_workers(checks, items):
    problems = []
    for item in items:
        for w in item["workers"]:
            label = f"{item['trial']} {w['worker_id']}"
            if "balancer" in w["pinning"]:
                if "requests" in w:
                    problems.append(f"{label}: the balancer's host sent load")
                if not w["core_busy"]:
                    problems.append(f"{label}: the balancer's host did not "
                                    "report its cores")
                continue
            if w.get("requests", 0) <= 0:
                problems.append(f"{label}: no requests")
            quota = w.get("cpu_quota")
            if not quota or not quota["cgroup"].startswith("/sbtb/h") or \
                    int(quota.get("periods", "0")) <= 0:
                problems.append(f"{label}: no CPU quota usage: {quota}")
        if len(item["workers"]) != item["configuration"]["hosts"] + 1:
            problems.append(f"{item['trial']}: {len(item['workers'])} "
                            "worker results, not hosts + 1")
    checks.expect(not problems, "results: the balancer's host observed, the "
                  "others loaded it and measured their CPU quota",
                  "\n".join(problems))


def check_skew(checks, items):
    skews = sorted(abs(item["start_skew_us"]) for item in items)
    p99 = skews[max(math.ceil(0.99 * len(skews)), 1) - 1]
    checks.expect(p99 < SKEW_LIMIT_US, f"skew: p99 of the trials' start "
                  f"skew is below {SKEW_LIMIT_US} us", f"{skews}")
    print(f"      start skew over {len(skews)} trials: p99 {p99:.0f} us, "
          f"max {skews[-1]:.0f} us")


def run(bin_dir, checks):
    bed = None
    try:
        bed = Testbed(bin_dir)
        r = bed.cli("submit", SPEC)
        checks.expect(r.returncode == 0, "submit exits 0", r.stderr)
        name = r.stdout.strip().splitlines()[-1]
        r = bed.cli("watch", name, timeout=400)
        checks.expect(r.returncode == 0, "watch exits 0",
                      r.stdout[-2000:] + r.stderr[-2000:])
        doc = check_results(bed, checks, name, TRIALS, "results")
        check_placement(checks, doc)
        r = bed.cli("results", name, "--output", "json")
        items = json.loads(r.stdout) if r.returncode == 0 else []
        check_workers(checks, items)
        check_skew(checks, items)
        r = bed.cli("fit", "--experiment", name)
        lines = r.stdout.splitlines()
        checks.expect(r.returncode == 0 and
                      any(line.startswith("verdict:") for line in lines) and
                      any(line.startswith("saturation:") for line in lines),
                      "fit --experiment prints a verdict and a saturation "
                      "line", r.stdout + r.stderr)
        for line in lines:
            if line.startswith(("verdict:", "saturation:")):
                print(f"      {line}")
    finally:
        if bed is not None:
            Testbed.down()
    left = our_processes(STATE)
    checks.expect(not left, "down: nothing is left running", "\n".join(left))
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True).stdout
    checks.expect("sbtb-" not in netns, "down: no testbed namespace is left",
                  netns)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    args = parser.parse_args()
    checks = Checks()
    try:
        run(os.path.abspath(args.bin), checks)
    except Exception as e:  # A broken step is a failed check, not a crash.
        checks.expect(False, "ran to the end", repr(e))
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
