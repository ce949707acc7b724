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
  skew        every trial reports its start skew (no warm-up, so it is
              measured, not 0 by construction): a finite number of
              microseconds, the largest in magnitude, with its sign, of the
              skews its load-generating hosts reported; and `results`
              prints the skew line over all the trials. How small it is
              (p99 under 1 ms) is a timing target, checked by
              `bench/start_skew.sh --testbed`, not here
  fit         `fit --experiment` prints a verdict and a saturation line
  down        nothing of the testbed is left

Usage: cross_host_test.py --bin DIR
Needs root; uses the fixed sbtb- names. Prints one line per check and
'N passed, M failed'; exit 1 on a failure. Whatever fails, it runs `down`.
"""
import json
import math
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "support"))
from checks import run_main  # noqa: E402
from cluster import check_results  # noqa: E402
from testbed import Testbed, check_nothing_left  # noqa: E402

SPEC = os.path.join(TOP, "examples", "cross-host-own-balancer.yaml")
# The example's instances x hosts with at least one instance per host:
# (1,1), (2,1), (2,2); twice each.
TRIALS = 6


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


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def check_skew(checks, items, skew_line):
    """The skew is reported and is what the hosts reported; its size is
    bench/start_skew.sh --testbed's business."""
    problems = []
    for item in items:
        skew = item.get("start_skew_us")
        hosts = [w.get("start_skew_us") for w in item["workers"]
                 if "requests" in w]
        if not is_number(skew) or not hosts or \
                not all(is_number(h) for h in hosts):
            problems.append(f"{item['trial']}: skew {skew!r}, hosts {hosts!r}")
            continue
        largest = max(hosts, key=abs)
        # Within 1 us (or 0.1%): the stored skew is a CSV cell, rounded.
        if abs(skew - largest) > max(1, 1e-3 * abs(largest)):
            problems.append(f"{item['trial']}: skew {skew} us is not the "
                            f"largest of the hosts' {hosts}")
    checks.expect(items and not problems,
                  "skew: every trial reports its start skew, the hosts' "
                  "largest with its sign", "\n".join(problems))
    checks.expect(skew_line.startswith(
        f"start skew (the largest load generator's of each trial, "
        f"{TRIALS} trials): p50 "), "skew: results prints the skew line "
        "over every trial", skew_line)
    skews = sorted(abs(item["start_skew_us"]) for item in items
                   if is_number(item.get("start_skew_us")))
    if skews:
        print(f"      start skew over {len(skews)} trials: max "
              f"{skews[-1]:.0f} us (the p99 target: bench/start_skew.sh "
              "--testbed)")


def run(bin_dir, checks):
    tmp = tempfile.mkdtemp(prefix="sb-cross-host-")
    bed = None
    try:
        bed = Testbed(bin_dir, tmp)
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
        text = bed.cli("results", name).stdout
        check_skew(checks, items, next((line for line in text.splitlines()
                                        if line.startswith("start skew")),
                                       text[-500:]))
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
        shutil.rmtree(tmp, ignore_errors=True)
    check_nothing_left(checks, "down")


if __name__ == "__main__":
    sys.exit(run_main(__doc__, run))
