#!/usr/bin/env python3
"""The xen driver for real: a nested Xen host (deploy/xen-host/xen-host up)
whose dom0 worker takes trials from a coordinator (deploy/testbed/testbed
up 1), over mutual TLS.

  haproxy     PVH domUs behind haproxy in dom0: 1 and 2 domUs, each trial
              succeeds with requests > 0 and no errors
  single-app  platform unikernel on xen: the built-in guest with nginx as
              PID 1 (the qemu driver's single-app stand-in) succeeds
  after each  `xl list` in dom0 shows only Domain-0
  nested      the results are marked nested in CSV and JSON
  kill        a trial with 1 PV domU: the dom0 worker is killed while it
              measures; it starts again, destroys the domain the dead one
              left before it synchronizes, and the trial succeeds on a
              retry, once, with requests > 0 and no errors (this retry is
              also the check that a PV trial succeeds: a separate PV
              experiment cost a domU boot, about a minute, for nothing more)

Usage: xen_host_test.py --bin DIR
Needs root, qemu-system-x86_64 and Debian's package registry (the image
is built, or reused, by deploy/xen-host/build-xen-host-image.sh). Prints
one line per check and 'N passed, M failed'; exit 1 on a failure. Whatever
fails, it stops the Xen host and the testbed.
"""
import calendar
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "support"))
from checks import run_main  # noqa: E402
from testbed import Testbed  # noqa: E402

XEN_HOST = os.path.join(TOP, "deploy", "xen-host", "xen-host")
HOST = "xh1"
STATE = os.environ.get("SB_XEN_HOST_DIR", "/tmp/sb-xen-host")

SPECS = {
    "haproxy": """name: xen-haproxy
order: sequential
loadgen: {connections: 4, duration: 3s, warmup: 3s}
sweep: {platform: [xen], instances: [1, 2], balancer: [haproxy]}
timeouts: {prepare: 180s, balance: 60s, start_lead: 3s}
""",
    "single-app": """name: xen-single-app
target: {hypervisor: xen, memory_mb: 128}
loadgen: {connections: 4, duration: 3s}
sweep: {platform: [unikernel], instances: [1]}
timeouts: {prepare: 180s, start_lead: 3s}
""",
    "kill": """name: xen-kill
target: {xen_type: pv}
loadgen: {connections: 4, duration: 20s}
sweep: {platform: [xen], instances: [1]}
timeouts: {prepare: 180s, start_lead: 3s}
""",
}


class Cluster(Testbed):
    """A testbed coordinator (up 1) and a nested Xen host, and the CLI."""

    def __init__(self, bin_dir, tmp):
        super().__init__(bin_dir, tmp, hosts=1, timeout=180)
        started = time.time()
        out = subprocess.run(
            [XEN_HOST, "up", HOST, "--coordinator",
             self.env["SCALEBENCH_COORDINATOR"], "--timeout", "400"],
            capture_output=True, text=True, timeout=900, env=self.env)
        if out.returncode != 0:
            raise RuntimeError(f"xen-host up: {out.stderr[-3000:]}")
        print(f"      xen-host up to a registered worker: "
              f"{time.time() - started:.0f} s")

    def cli(self, *args, timeout=120):
        return super().cli(*args, timeout=timeout)

    def control(self, command):
        r = subprocess.run([XEN_HOST, "control", HOST, command],
                           capture_output=True, text=True, timeout=60)
        return r.stdout

    def domains(self):
        """(name, id) of every domain `xl list` shows in dom0."""
        found = []
        for line in self.control("xl-list").splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                found.append((parts[0], int(parts[1])))
        return found

    def console(self):
        with open(os.path.join(STATE, HOST, "console.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def experiment(self, name):
        return super().experiment(name) or {}

    @staticmethod
    def down():
        subprocess.run([XEN_HOST, "down", HOST], capture_output=True,
                       timeout=120)
        Testbed.down()


def submit(cluster, checks, tmp, key):
    path = os.path.join(tmp, f"{key}.yaml")
    with open(path, "w") as f:
        f.write(SPECS[key])
    r = cluster.cli("submit", path)
    checks.expect(r.returncode == 0, f"{key}: submit exits 0", r.stderr)
    return r.stdout.strip().splitlines()[-1] if r.returncode == 0 else None


def wait_idle_domains(cluster, timeout=60):
    """Domains in dom0 once every trial has torn down (Domain-0 alone), or
    what is left after `timeout` seconds."""
    deadline = time.time() + timeout
    domains = cluster.domains()
    while time.time() < deadline and [n for n, _ in domains] != ["Domain-0"]:
        time.sleep(2)
        domains = cluster.domains()
    return domains


def check_experiment(cluster, checks, key, name, trials):
    # `xl list` is asked only between experiments: polling it while the
    # worker ran `xl create` made libxl fail to create and destroy domains
    # on this nested host ("Destruction of domain failed").
    started = time.time()
    r = cluster.cli("watch", name, timeout=1200)
    checks.expect(r.returncode == 0, f"{key}: watch exits 0 "
                  f"({time.time() - started:.0f} s)",
                  r.stdout[-2000:] + r.stderr[-2000:])
    check_results(cluster, checks, key, name, trials)
    domains = wait_idle_domains(cluster)
    checks.expect([n for n, _ in domains] == ["Domain-0"],
                  f"{key}: afterwards xl list shows only Domain-0",
                  f"{domains}")


def check_results(cluster, checks, key, name, trials):
    """`trials` results, each with requests and no errors, marked nested
    in CSV and JSON; prints each one's rate and time from placed to ready."""
    r = cluster.cli("results", name, "--output", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    good = [row for row in rows if float(row["requests_per_s"]) > 0 and
            row["errors"] == "0"]
    r_json = cluster.cli("results", name, "--output", "json")
    errors = [item["result"].get("errors", {}) for item in
              (json.loads(r_json.stdout) if r_json.returncode == 0 else [])]
    checks.expect(len(rows) == trials and len(good) == trials,
                  f"{key}: {trials} trial(s), each with requests and no "
                  "errors", r.stdout + r.stderr + f"\nerrors: {errors}")
    checks.expect(rows and all(row["nested"] == "true" for row in rows),
                  f"{key}: the CSV marks every row nested", r.stdout)
    r = cluster.cli("results", name, "--output", "json")
    items = json.loads(r.stdout) if r.returncode == 0 else []
    checks.expect(items and all(item["nested"] for item in items),
                  f"{key}: the JSON marks every trial nested", r.stdout[:500])
    # From the attempt's placement to its domUs (and balancer) answering:
    # the window opens the start lead (3 s) after every host was ready.
    placed = {t["name"]: t["attempts"][-1]["start_time"]
              for t in cluster.experiment(name).get("trials", [])}
    for row, item in zip(rows, items):
        ready = (parse_time(item["result"]["start_time"]) -
                 parse_time(placed.get(item["trial"], item["result"]
                                       ["start_time"])) - 3)
        print(f"      {key}: instances={row['instances']} "
              f"balancer={row['balancer']} "
              f"{float(row['requests_per_s']):.0f} requests/s; placed to "
              f"ready {ready:.1f} s")


def parse_time(text):
    """Seconds since the epoch of an RFC 3339 UTC timestamp as the API's
    JSON writes it ("2026-11-30T00:52:01.123456Z")."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return seconds + float("0." + (fraction or "0"))


def measuring(cluster, name):
    doc = cluster.experiment(name)
    return any(t.get("state") == "TRIAL_STATE_MEASURING"
               for t in doc.get("trials", []))


def check_kill(cluster, checks, tmp):
    name = submit(cluster, checks, tmp, "kill")
    if name is None:
        return
    deadline = time.time() + 600
    while time.time() < deadline and not measuring(cluster, name):
        time.sleep(1)
    before = cluster.domains()
    ours = [(n, i) for n, i in before if n != "Domain-0"]
    checks.expect(len(ours) == 1, "kill: one domU runs while the trial "
                  "measures", f"{before}")
    log_mark = len(cluster.console())
    killed = cluster.control("kill-worker")
    checks.expect(killed.startswith("killed"), "kill: the dom0 worker is "
                  "killed mid-trial", killed)
    r = cluster.cli("watch", name, timeout=1200)
    checks.expect(r.returncode == 0, "kill: the experiment succeeds",
                  r.stdout[-2000:] + r.stderr[-2000:])
    after = cluster.console()[log_mark:]
    left = ours[0][0] if ours else "?"
    destroyed = re.search(rf"xen: destroyed domain {re.escape(left)}", after)
    restarted = after.find("starting scalebench-worker")
    checks.expect(destroyed is not None and restarted != -1 and
                  destroyed.start() > restarted,
                  "kill: the restarted worker destroyed the domain the dead "
                  "one left", after[-3000:])
    doc = cluster.experiment(name)
    trials = doc.get("trials", [])
    attempts = trials[0]["attempts"] if trials else []
    checks.expect(len(trials) == 1 and
                  trials[0].get("state") == "TRIAL_STATE_SUCCEEDED" and
                  len(attempts) >= 2 and attempts[0].get("failure") and
                  not attempts[-1].get("failure"),
                  "kill: the struck attempt failed and a retry succeeded",
                  json.dumps(attempts)[:2000])
    check_results(cluster, checks, "kill", name, 1)
    domains = wait_idle_domains(cluster)
    checks.expect([n for n, _ in domains] == ["Domain-0"],
                  "kill: afterwards xl list shows only Domain-0",
                  f"{domains}")


def run(bin_dir, checks):
    tmp = tempfile.mkdtemp(prefix="sb-xen-")
    try:
        cluster = Cluster(bin_dir, tmp)
        r = cluster.cli("workers", "--output", "json")
        xen = next((w["facts"].get("xen") for w in
                    json.loads(r.stdout or "{}").get("workers", [])
                    if w["name"].endswith(HOST)), None)
        checks.expect(xen is not None and xen["version"].startswith("4.17")
                      and xen.get("nr_cpus", 0) >= 1 and
                      int(xen.get("free_memory_mb", "0")) > 0,
                      "the dom0 worker registered with Xen's facts from "
                      "xl info", r.stdout[-2000:])
        for key, trials in (("haproxy", 2), ("single-app", 1)):
            name = submit(cluster, checks, tmp, key)
            if name is not None:
                check_experiment(cluster, checks, key, name, trials)
        check_kill(cluster, checks, tmp)
    finally:
        Cluster.down()  # Idempotent: also after a failed `up`.
        shutil.rmtree(tmp, ignore_errors=True)
    checks.expect(not os.path.exists(os.path.join(STATE, HOST)),
                  "down: the Xen host's state is gone")


if __name__ == "__main__":
    sys.exit(run_main(__doc__, run))
