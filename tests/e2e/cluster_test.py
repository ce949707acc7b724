#!/usr/bin/env python3
"""End-to-end checks of the cluster: scalebench-coordinator and
scalebench-worker as separate processes on this host, driven through the
scalebench CLI, measuring real nginx (and haproxy) targets.

  sweep        a coordinator and two workers run a sweep; trials run on
               both hosts; `results --output csv` has exactly one row per
               trial; `watch` exits 0; the models are fitted; nothing a
               worker started is left running
  crash        the coordinator is killed with SIGKILL twice in the middle
               of a sweep and restarted on the same database each time:
               the sweep completes, every trial exactly once, and a `watch`
               started before the crashes exits 0
  worker_kill  a worker is killed with SIGKILL while it measures and
               restarted on its state dir once it has exited: that attempt
               fails, the trial is retried and completes; the counts are
               exact; nothing any worker started is left running
  spec         specs with an error (unknown platform, negative count, bad
               duration, misspelt key, YAML syntax) are refused by submit
               with exit 2 naming the line; nothing is created
  run          `scalebench run` (the embedded default) on a small sweep in
               a fresh directory: exit 0, progress, the results table and
               the fits, the store under ./scalebench-data/, and nothing
               left running
  tls          off loopback (an address in a network namespace this test
               makes), mutual TLS: a worker and a CLI with certificates
               from the CA are served; no certificate, another CA's, a
               worker presenting another worker's name, or a CLI with a
               worker's certificate are refused

Usage: cluster_test.py --bin DIR --group NAME
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import run_groups  # noqa: E402
from cluster import (Cluster, check_results, make_tmp,  # noqa: E402
                     our_processes, stop_and_check_nothing_left, submit,
                     trials_in_state, wait_for)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SWEEP = """name: {name}
repetitions: {repetitions}
order: randomized
seed: 11
loadgen:
  connections: 4
  duration: {duration}
sweep:
  platform: [native]
  instances: [1, 2]
  balancer: [none, haproxy]
timeouts:
  prepare: 20s
  start_lead: 1s
models:
  - {{fit: linear, x: instances, y: requests_per_s, by: [balancer]}}
"""


CROSS_HOST = """name: cross-host
repetitions: 1
loadgen:
  connections: 4
  duration: 1s
sweep:
  instances: [2]
  hosts: [2]
  balancer: [none, haproxy]
timeouts:
  prepare: 20s
  start_lead: 1s
"""


@contextlib.contextmanager
def two_workers(bin_dir, checks, label):
    """A coordinator and workers w1 (CPU 0) and w2 (CPU 1) with a temp dir
    of their own; at the end, all stopped by pid and a check that nothing a
    worker started is left."""
    tmp = make_tmp(f"sb-e2e-{label}-")
    cluster = Cluster(bin_dir, tmp)
    try:
        cluster.start_coordinator_and_two_workers()
        yield cluster
    finally:
        stop_and_check_nothing_left(cluster, tmp, checks, label)


def group_sweep(bin_dir, checks):
    with two_workers(bin_dir, checks, "sweep") as cluster:
        cluster.wait_for(
            lambda: cluster.cli("workers").stdout.count("idle") >= 2, 30,
            "two idle workers")
        name = submit(cluster, checks,
                      SWEEP.format(name="sweep", repetitions=2, duration="1s"),
                      "sweep")
        watch = cluster.cli_async("watch", name)
        out, err = watch.communicate(timeout=300)
        checks.expect(watch.returncode == 0, "sweep: watch exits 0",
                      out[-2000:] + err[-2000:])
        doc = check_results(cluster, checks, name, 8, "sweep")
        hosts = {a["placement"]["target/0"] for t in doc["trials"]
                 for a in t["attempts"]}
        checks.expect(hosts == {"w1", "w2"},
                      "sweep: trials ran on both workers", f"{hosts}")
        r = cluster.cli("fit", "--experiment", name, "--output", "json")
        # One document per model, each with its fits (one per balancer).
        models = json.loads(r.stdout) if r.returncode == 0 else []
        fits = [f for m in models for f in m.get("fits", [])]
        checks.expect(len(models) == 1 and len(fits) == 2 and
                      all(not f.get("error") for f in fits),
                      "sweep: the spec's linear model is fitted per balancer",
                      r.stdout[:2000] + r.stderr)
        r = cluster.cli("workers")
        checks.expect(r.returncode == 0 and "w1" in r.stdout and
                      "w2" in r.stdout, "sweep: workers lists both", r.stdout)

        # Across both hosts: one target each, haproxy on the first in front
        # of both, load from both at one T0, merged.
        name = submit(cluster, checks, CROSS_HOST, "cross-host")
        r = cluster.cli("watch", name, timeout=300)
        checks.expect(r.returncode == 0, "cross-host: watch exits 0",
                      r.stdout[-2000:] + r.stderr[-2000:])
        r = cluster.cli("results", name, "--output", "json")
        items = json.loads(r.stdout) if r.returncode == 0 else []
        sources = [item["result"].get("source", "") for item in items]
        checks.expect(len(items) == 2 and all(
            sorted(item["result"].get("source", "").split(",")) ==
            ["w1", "w2"] for item in items),
            "cross-host: every trial merged the load generators of both "
            "hosts", f"{sources} {r.stderr}")
        doc = cluster.experiment(name)
        balanced = [a["placement"] for t in doc["trials"]
                    for a in t["attempts"] if "balancer" in a["placement"]]
        checks.expect(len(balanced) == 1 and
                      balanced[0]["balancer"] == balanced[0]["target/0"],
                      "cross-host: haproxy ran on the first target host",
                      f"{balanced}")


def group_crash(bin_dir, checks):
    with two_workers(bin_dir, checks, "crash") as cluster:
        name = submit(cluster, checks,
                      SWEEP.format(name="crash", repetitions=3, duration="1s"),
                      "crash")
        watch = cluster.cli_async("watch", name)
        for crash in (1, 2):
            target = 2 * crash
            def mid_sweep():
                doc = cluster.experiment(name) or {}
                return (trials_in_state(doc, "TRIAL_STATE_SUCCEEDED") >= target
                        and trials_in_state(doc, "TRIAL_STATE_MEASURING") > 0)
            # Mid-sweep: trials done, and one measuring right now.
            cluster.wait_for(mid_sweep, 180,
                             f"{target} trials done and one measuring")
            code = cluster.kill("coordinator")
            checks.expect(code == -signal.SIGKILL,
                          f"crash: coordinator killed with SIGKILL ({crash})",
                          f"exit {code}")
            time.sleep(1)
            cluster.start_coordinator()
        out, err = watch.communicate(timeout=400)
        checks.expect(watch.returncode == 0,
                      "crash: the watch started before both crashes exits 0",
                      out[-2000:] + err[-2000:])
        doc = check_results(cluster, checks, name, 12, "crash")
        restarted = [a for t in doc["trials"] for a in t["attempts"]
                     if a.get("failure", {}).get("kind") ==
                     "FAILURE_KIND_COORDINATOR_RESTARTED"]
        print(f"      {len(restarted)} attempts ended by the crashes")


def group_worker_kill(bin_dir, checks):
    with two_workers(bin_dir, checks, "worker_kill") as cluster:
        name = submit(cluster, checks,
                      SWEEP.format(name="wkill", repetitions=1, duration="4s"),
                      "worker_kill")

        def measuring_on_w1():
            doc = cluster.experiment(name) or {}
            for t in doc.get("trials", []):
                if t.get("state") == "TRIAL_STATE_MEASURING":
                    last = t["attempts"][-1]
                    if last["placement"].get("loadgen/0") == "w1":
                        return t["name"]
            return None
        victim = cluster.wait_for(measuring_on_w1, 120, "w1 to measure")
        # kill() returns once w1 has exited; its restart, on the same state
        # dir, is a new session the coordinator sees at its first call.
        cluster.kill("w1")
        cluster.start_worker("w1", ["--cpus", "0"])
        r = cluster.cli("watch", name, timeout=300)
        checks.expect(r.returncode == 0, "worker_kill: the sweep completes",
                      r.stdout[-2000:] + r.stderr[-2000:])
        doc = check_results(cluster, checks, name, 4, "worker_kill")
        trial = next(t for t in doc["trials"] if t["name"] == victim)
        kinds = [a.get("failure", {}).get("kind", "") for a in trial["attempts"]]
        checks.expect(len(kinds) >= 2 and kinds[0] in (
            "FAILURE_KIND_WORKER_LOST", "FAILURE_KIND_WORKER_RESTARTED")
            and kinds[-1] == "",
            "worker_kill: the killed worker's attempt failed (lost or "
            "restarted) and a retry succeeded", f"{trial}")


BAD_SPECS = {
    "unknown platform": ("name: bad\nsweep:\n  platform: [native, vmware]\n",
                         "bad.yaml:3:"),
    "negative count": ("name: bad\nrepetitions: -3\n", "bad.yaml:2:"),
    "bad duration": ("name: bad\nloadgen:\n  duration: 5 parsecs\n",
                     "bad.yaml:3:"),
    "misspelt key": ("name: bad\nloadgen:\n  conections: 10\n", "bad.yaml:3:"),
    # The parser sees the missing ']' where the file ends.
    "YAML syntax": ("name: bad\nsweep:\n  instances: [1, 2\n", "bad.yaml:4:"),
}


def group_spec(bin_dir, checks):
    tmp = make_tmp("sb-e2e-spec-")
    cluster = Cluster(bin_dir, tmp)
    try:
        cluster.start_coordinator()
        for label, (text, where) in BAD_SPECS.items():
            path = os.path.join(tmp, "bad.yaml")
            with open(path, "w") as f:
                f.write(text)
            r = cluster.cli("submit", path)
            checks.expect(r.returncode == 2 and where in r.stderr,
                          f"spec: {label} exits 2 naming the line ({where})",
                          f"exit {r.returncode}: {r.stderr}")
        r = cluster.cli("status", "--output", "json")
        listed = json.loads(r.stdout).get("experiments", []) \
            if r.returncode == 0 else None
        checks.expect(listed == [], "spec: nothing was created",
                      r.stdout + r.stderr)
    finally:
        cluster.stop_all()
    shutil.rmtree(tmp, ignore_errors=True)


def refused(log_path):
    """Whether a worker's log says the coordinator refused it (its name, or
    its certificate)."""
    try:
        with open(log_path, errors="replace") as f:
            text = f.read().lower()
    except OSError:
        return False
    return "permission_denied" in text or "permission" in text or \
        "certificate" in text or "unavailable" in text


def group_tls(bin_dir, checks):
    tmp = make_tmp("sb-e2e-tls-")
    netns = f"sb-e2e-{os.getpid()}"
    address = "10.211.0.1"
    cluster = Cluster(bin_dir, tmp, netns=netns)
    pki = os.path.join(TOP, "deploy", "pki", "pki.sh")
    good, other = os.path.join(tmp, "pki"), os.path.join(tmp, "other")

    def run(*args):
        subprocess.run(args, check=True, capture_output=True, text=True)
    try:
        run("ip", "netns", "add", netns)
        # A veth pair inside the namespace: an ordinary, non-loopback
        # address for the coordinator to listen on.
        for cmd in (["ip", "link", "set", "lo", "up"],
                    ["ip", "link", "add", "sb0", "type", "veth", "peer",
                     "name", "sb1"],
                    ["ip", "addr", "add", f"{address}/24", "dev", "sb0"],
                    ["ip", "link", "set", "sb0", "up"],
                    ["ip", "link", "set", "sb1", "up"]):
            run("ip", "netns", "exec", netns, *cmd)
        run(pki, "ca", good)
        run(pki, "server", good, "coordinator", "--ip", address)
        run(pki, "worker", good, "w1")
        run(pki, "client", good, "alice")
        run(pki, "ca", other)
        run(pki, "worker", other, "w1")
        run(pki, "client", other, "mallory")

        listen = f"{address}:7443"
        proc = cluster.start_coordinator(listen=listen, expect_ok=False)
        checks.expect(proc.returncode == 2,
                      "tls: a plaintext coordinator off loopback is refused",
                      f"exit {proc.returncode}")
        cluster.start_coordinator(listen=listen, tls=(
            "--ca", f"{good}/ca.crt", "--cert",
            f"{good}/server-coordinator.crt", "--key",
            f"{good}/server-coordinator.key"))

        def client(directory, who):
            return {"SCALEBENCH_CA": f"{good}/ca.crt",
                    "SCALEBENCH_CERT": f"{directory}/client-{who}.crt",
                    "SCALEBENCH_KEY": f"{directory}/client-{who}.key"}
        alice = client(good, "alice")

        r = cluster.cli("workers")
        checks.expect(r.returncode == 2 and "TLS" in r.stderr,
                      "tls: a CLI without a certificate is refused", r.stderr)
        r = cluster.cli("workers", env_extra=client(other, "mallory"))
        checks.expect(r.returncode == 1,
                      "tls: a CLI with another CA's certificate is refused",
                      f"exit {r.returncode}: {r.stderr}")
        r = cluster.cli("workers", env_extra=alice)
        checks.expect(r.returncode == 0,
                      "tls: a CLI with the CA's certificate is served",
                      r.stderr)
        # Roles: a worker's certificate may call only Synchronize.
        r = cluster.cli("workers", env_extra={
            "SCALEBENCH_CA": f"{good}/ca.crt",
            "SCALEBENCH_CERT": f"{good}/worker-w1.crt",
            "SCALEBENCH_KEY": f"{good}/worker-w1.key"})
        checks.expect(r.returncode != 0 and "workers/w1" in r.stderr,
                      "tls: a worker's certificate may not use the "
                      "coordinator service",
                      f"exit {r.returncode}: {r.stderr}")

        plain = cluster.start_worker("w1", state_dir=os.path.join(tmp, "s0"))
        plain.wait(timeout=30)
        cluster.procs.pop("w1")
        checks.expect(plain.returncode == 2,
                      "tls: a worker without a certificate is refused",
                      f"exit {plain.returncode}")

        def worker_tls(directory, worker):
            return ("--ca", f"{good}/ca.crt", "--cert",
                    f"{directory}/worker-{worker}.crt", "--key",
                    f"{directory}/worker-{worker}.key")
        cluster.start_worker("w2", worker_tls(good, "w1"),
                             os.path.join(tmp, "s2"))
        cluster.start_worker("w1x", worker_tls(other, "w1"),
                             os.path.join(tmp, "s3"))
        # Both have been answered once each has logged its refusal.
        for name in ("w2", "w1x"):
            wait_for(lambda: refused(os.path.join(tmp, f"worker-{name}.log")),
                     30, f"{name} to be refused")
        r = cluster.cli("workers", "--output", "json", env_extra=alice)
        names = [w["name"] for w in json.loads(r.stdout).get("workers", [])] \
            if r.returncode == 0 else None
        checks.expect(names == [],
                      "tls: a worker presenting another worker's name, and "
                      "one with another CA's certificate, are refused",
                      f"{names} {r.stderr}")
        log = open(os.path.join(tmp, "worker-w2.log")).read()
        checks.expect("w1" in log and ("PERMISSION_DENIED" in log or
                                       "permission" in log.lower() or
                                       "certificate" in log.lower()),
                      "tls: the impostor is told why", log[-1000:])
        cluster.kill("w2", signal.SIGTERM)
        cluster.kill("w1x", signal.SIGTERM)
        cluster.start_worker("w1", worker_tls(good, "w1"),
                             os.path.join(tmp, "s1"))
        def w1_idle():
            workers = cluster.workers(env_extra=alice)
            idle = workers.get("w1", {}).get("status") == "WORKER_STATUS_IDLE"
            return workers if idle else None
        workers = wait_for(w1_idle, 30, "w1 to register and be idle")
        checks.expect(sorted(workers) == ["w1"],
                      "tls: a worker with its own certificate is served (w1 "
                      "registered and idle, and no one else)",
                      json.dumps(workers)[:2000])
    finally:
        cluster.stop_all()
        subprocess.run(["ip", "netns", "delete", netns], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)


RUN_SPEC = """name: run
repetitions: 2
loadgen:
  connections: 4
  duration: 1s
sweep:
  instances: [1, 2]
timeouts:
  start_lead: 1s
models:
  - {fit: linear, x: instances, y: requests_per_s}
"""

# Every response a 404: errors are never throughput (issue 27).
NOT_FOUND_SPEC = """name: not-found
repetitions: 1
loadgen:
  connections: 4
  duration: 1s
  path: /does-not-exist
timeouts:
  start_lead: 1s
models:
  - {fit: linear, x: instances, y: requests_per_s}
"""


def not_found_run(bin_dir, checks, tmp):
    """`scalebench run` of a spec whose every request gets a 404."""
    cwd = os.path.join(tmp, "not-found")
    os.makedirs(cwd)
    path = os.path.join(cwd, "spec.yaml")
    with open(path, "w") as f:
        f.write(NOT_FOUND_SPEC)
    r = subprocess.run([os.path.join(bin_dir, "scalebench"), "run", path],
                       cwd=cwd, capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr
    checks.expect(r.returncode == 1, "run, all 404s: exits 1",
                  f"exit {r.returncode}\n{out[-3000:]}")
    checks.expect("(errors)" in out and "status 404" in out and
                  "succeeded:" not in out,
                  "run, all 404s: the attempt fails with kind errors naming "
                  "status 404, and no line says it succeeded", out[-3000:])
    checks.expect("no rows to fit" in out,
                  "run, all 404s: no model is fitted to the errors",
                  out[-3000:])


def group_run(bin_dir, checks):
    tmp = make_tmp("sb-e2e-run-")
    try:
        path = os.path.join(tmp, "spec.yaml")
        with open(path, "w") as f:
            f.write(RUN_SPEC)
        r = subprocess.run([os.path.join(bin_dir, "scalebench"), "run", path],
                           cwd=tmp, capture_output=True, text=True,
                           timeout=300)
        checks.expect(r.returncode == 0, "run: exits 0",
                      r.stdout[-2000:] + r.stderr[-2000:])
        checks.expect("[4/4]" in r.stdout, "run: shows its progress",
                      r.stdout[:2000])
        checks.expect("N  REQUESTS/S" in r.stdout and
                      "linear fit of requests_per_s on instances" in r.stdout,
                      "run: prints the results table and the fit",
                      r.stdout[-3000:])
        checks.expect(os.path.exists(os.path.join(
            tmp, "scalebench-data", "coordinator.db")),
            "run: keeps its store in ./scalebench-data/")
        r = subprocess.run([os.path.join(bin_dir, "scalebench"), "run",
                            os.path.join(tmp, "missing.yaml")],
                           cwd=tmp, capture_output=True, text=True, timeout=60)
        checks.expect(r.returncode == 2 and "missing.yaml" in r.stderr,
                      "run: a missing spec exits 2 naming it", r.stderr)
        not_found_run(bin_dir, checks, tmp)
    finally:
        left = our_processes(tmp)
        checks.expect(not left, "run: nothing it started is left running",
                      "\n".join(left))
        shutil.rmtree(tmp, ignore_errors=True)


GROUPS = {"run": group_run, "sweep": group_sweep, "crash": group_crash,
          "worker_kill": group_worker_kill, "spec": group_spec,
          "tls": group_tls}


if __name__ == "__main__":
    sys.exit(run_groups(__doc__, GROUPS))
