#!/usr/bin/env python3
"""End-to-end checks of `scalebench-worker run-trial` on this host.

Each group runs real targets and balancers through the real binary and
then checks that nothing a worker started is left running:

  native   1 and 4 nginx processes; no balancer, haproxy and nginx; every
           algorithm; health checks on; a worker killed with SIGKILL in
           the middle of a trial, then a new run-trial on the same state
           dir, which must first remove what the dead one left
  docker   1 and 2 containers behind haproxy, on a private dockerd this
           script starts and stops (deploy/docker/private-dockerd.sh)
  vm       one QEMU guest (TCG) of each image kind
  spec     spec errors (misspelt key, unknown platform, negative count)
           exit 2 naming the line and start nothing; --dry-run of a xen
           spec shows the xl config and the `xl create` line

Usage: run_trial_test.py --bin DIR --group native|docker|vm|spec
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import Checks  # noqa: E402
from cluster import our_processes  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def spec_yaml(platform="native", instances=1, balancer="none",
              algorithm="roundrobin", health="0s", duration="2s",
              image=None, extra=""):
    target = f"\n  image: {image}" if image else ""
    return f"""name: e2e
target:
  vcpus: 1{target}
loadgen:
  connections: 8
  duration: {duration}
sweep:
  platform: [{platform}]
  instances: [{instances}]
  balancer: [{balancer}]
  algorithm: [{algorithm}]
  health_check_interval: [{health}]
timeouts:
  prepare: 90s
{extra}"""


class Worker:
    def __init__(self, bin_dir, tmp, name, env=None):
        self.binary = os.path.join(bin_dir, "scalebench-worker")
        self.state = os.path.join(tmp, f"state-{name}")
        self.name = name
        self.owner = f"scalebench-{name}"
        self.env = env
        self.tmp = tmp

    def args(self, spec_text, *extra):
        path = os.path.join(self.tmp, f"{self.name}-{time.monotonic_ns()}.yaml")
        with open(path, "w") as f:
            f.write(spec_text)
        return [self.binary, "run-trial", path, "--state-dir", self.state,
                "--name", self.name, *extra]

    def run(self, spec_text, *extra, timeout=300):
        return subprocess.run(self.args(spec_text, *extra), capture_output=True,
                              text=True, timeout=timeout, env=self.env,
                              stdin=subprocess.DEVNULL)


def check_trial(checks, worker, label, spec_text, min_requests=1):
    r = worker.run(spec_text, "--output", "json")
    try:
        j = json.loads(r.stdout)
    except ValueError:
        checks.expect(False, label, f"rc={r.returncode} err={r.stderr[-800:]}")
        return None
    errors = j.get("errors", {}).get("total", -1)
    ok = (r.returncode == 0 and j.get("requests", 0) >= min_requests
          and errors == 0 and j.get("failure") is None)
    checks.expect(ok, f"{label}: {j.get('requests_per_s', 0):.0f} req/s, "
                      f"targets ready in {j['timings']['targets_ready_s']:.2f} s",
                  f"rc={r.returncode} errors={errors} failure={j.get('failure')} "
                  f"err={r.stderr[-500:]}")
    left = our_processes(worker.owner)
    checks.expect(not left, f"{label}: nothing left running", "\n".join(left))
    return j


def group_native(checks, bin_dir, tmp):
    w = Worker(bin_dir, tmp, "e2e-native")
    check_trial(checks, w, "native, 1 instance", spec_yaml())
    j = check_trial(checks, w, "native, 4 instances", spec_yaml(instances=4))
    if j is not None and os.cpu_count() < 5:
        checks.expect(j.get("overcommitted") is True,
                      "native, 4 instances on few cores: overcommitted")
    for balancer in ("haproxy", "nginx"):
        for algorithm in ("roundrobin", "leastconn", "source"):
            check_trial(checks, w, f"native, 2 behind {balancer} {algorithm}",
                        spec_yaml(instances=2, balancer=balancer,
                                  algorithm=algorithm))
        check_trial(checks, w, f"native, 2 behind {balancer}, health checks",
                    spec_yaml(instances=2, balancer=balancer, health="500ms"))

    # A worker killed in the middle of a trial leaves its nginx running; the
    # next run-trial on the same state dir removes it first.
    proc = subprocess.Popen(w.args(spec_yaml(instances=2, balancer="haproxy",
                                             duration="60s")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(our_processes(w.owner)) < 3:
        time.sleep(0.2)
    time.sleep(1)
    left_by_dead = our_processes(w.owner)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    checks.expect(len(left_by_dead) >= 3,
                  "kill -9 mid-trial leaves targets and balancer running",
                  "\n".join(left_by_dead))
    check_trial(checks, w, "run-trial after kill -9 on the same state dir",
                spec_yaml(instances=2))


def group_docker(checks, bin_dir, tmp):
    dockerd = os.path.join(TOP, "deploy", "docker", "private-dockerd.sh")
    ddir = os.path.join(tmp, "dockerd")
    start = subprocess.run([dockerd, "start", ddir], capture_output=True,
                           text=True, timeout=180)
    if start.returncode != 0:
        checks.expect(False, "private dockerd starts", start.stderr[-800:])
        return
    try:
        host = [l.split("=", 1)[1] for l in start.stdout.splitlines()
                if l.startswith("DOCKER_HOST=")][0]
        env = dict(os.environ, DOCKER_HOST=host)
        w = Worker(bin_dir, tmp, "e2e-docker", env=env)
        check_trial(checks, w, "docker, 1 container", spec_yaml(platform="docker"))
        check_trial(checks, w, "docker, 2 containers behind haproxy",
                    spec_yaml(platform="docker", instances=2, balancer="haproxy"))
        listed = subprocess.run(
            ["docker", "-H", host, "ps", "-aq", "--filter",
             f"label=scalebench.owner={w.owner}"],
            capture_output=True, text=True, timeout=60)
        checks.expect(listed.returncode == 0 and not listed.stdout.strip(),
                      "docker: no container left", listed.stdout + listed.stderr)
    finally:
        subprocess.run([dockerd, "stop", ddir], timeout=120)


def group_vm(checks, bin_dir, tmp):
    w = Worker(bin_dir, tmp, "e2e-vm")
    for image in ("general", "single-app"):
        check_trial(checks, w, f"qemu (TCG), {image} image",
                    spec_yaml(platform="qemu", image=image, duration="3s"))


def group_spec(checks, bin_dir, tmp):
    w = Worker(bin_dir, tmp, "e2e-spec")
    bad = {
        "a misspelt key": (spec_yaml().replace("connections: 8", "conections: 8"),
                           ":5:"),
        "an unknown platform": (spec_yaml(platform="kvm"), ":8:"),
        "a negative count": (spec_yaml(instances=-2), ":9:"),
    }
    for what, (text, line) in bad.items():
        r = w.run(text)
        checks.expect(r.returncode == 2 and line in r.stderr and not r.stdout,
                      f"{what}: exit 2 naming the line", f"rc={r.returncode} "
                      f"err={r.stderr!r}")
        checks.expect(not our_processes(w.owner), f"{what}: nothing started")
    r = w.run(spec_yaml(platform="xen", instances=2, balancer="haproxy"),
              "--dry-run")
    checks.expect(r.returncode == 0 and "xl" in r.stdout and "create" in r.stdout
                  and "vcpus" in r.stdout and "haproxy" in r.stdout,
                  "xen --dry-run shows the xl config and the xl create line",
                  f"rc={r.returncode} out={r.stdout[:600]!r} err={r.stderr!r}")
    r = w.run(spec_yaml().replace("instances: [1]", "instances: [1, 2]"))
    checks.expect(r.returncode == 2 and "--configuration" in r.stderr
                  and "1:" in r.stderr,
                  "several grid points without --configuration list them",
                  r.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--group", required=True,
                        choices=["native", "docker", "vm", "spec"])
    options = parser.parse_args()
    checks = Checks()
    tmp = tempfile.mkdtemp(prefix="run-trial-test-")
    # nginx workers run as nobody and must reach the state dir inside.
    os.chmod(tmp, 0o755)
    try:
        {"native": group_native, "docker": group_docker, "vm": group_vm,
         "spec": group_spec}[options.group](checks, options.bin, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
