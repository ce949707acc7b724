#!/usr/bin/env python3
"""What a new user meets first: `make run`'s job from a home directory of
mode 700, and a spec this machine cannot run.

  private_home  `scalebench run examples/quickstart.yaml` (the README's
                `make run`) from a project inside a directory of mode 700,
                as a user who cloned into their home: exit 0, all 24
                trials, the table and the fits; the home stays mode 700;
                the worker's runtime dir under /run/scalebench is gone
                afterwards, and nothing it started is left running
  cannot_run    `scalebench run` of a spec this machine cannot run fails
                at once with the reason and no attempt started: a platform
                it lacks, and a runtime dir nginx's workers cannot reach
                (--runtime-dir inside the mode-700 directory); under a
                standalone coordinator, `submit` refuses it with no
                worker (exit 1) and warns with --allow-waiting, then
                `watch` and `status` name what the experiment waits for,
                and cancel ends it

Usage: first_run_test.py --bin DIR --group NAME
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import run_groups  # noqa: E402
from cluster import Cluster, make_tmp, our_processes  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
RUNTIME_BASE = "/run/scalebench"

# One configuration, trials of one second: enough to see where it fails.
NATIVE_SPEC = """name: {name}
repetitions: 2
loadgen:
  connections: 4
  duration: 1s
sweep:
  platform: [{platform}]
  instances: [1]
timeouts:
  start_lead: 1s
"""


def private_home():
    """A directory of mode 700 with a project dir in it, like /root/project
    or /home/user/project. Returns (home, project)."""
    home = tempfile.mkdtemp(prefix="sb-home-")
    os.chmod(home, 0o700)
    project = os.path.join(home, "project")
    os.mkdir(project)
    return home, project


def runtime_dirs(worker="local"):
    """The runtime dirs of worker `worker` under /run/scalebench now."""
    if not os.path.isdir(RUNTIME_BASE):
        return []
    return sorted(os.path.join(RUNTIME_BASE, d)
                  for d in os.listdir(RUNTIME_BASE)
                  if d.startswith(worker + "-"))


def run(bin_dir, cwd, *args, timeout):
    started = time.time()
    r = subprocess.run([os.path.join(bin_dir, "scalebench"), "run", *args],
                       cwd=cwd, capture_output=True, text=True,
                       timeout=timeout)
    return r, time.time() - started


def stored_trials(db_dir, bin_dir):
    """The trials of the first experiment in the store in DB_DIR, read by a
    coordinator started on it (the CLI reads through the coordinator)."""
    cluster = Cluster(bin_dir, db_dir)
    cluster.db = os.path.join(db_dir, "coordinator.db")
    try:
        cluster.start_coordinator()
        r = cluster.cli("status", "experiments/exp-000001", "--output", "json")
        return json.loads(r.stdout).get("trials", [])
    finally:
        cluster.stop_all()


def attempts_started(db_dir, bin_dir):
    return sum(len(t.get("attempts", []))
               for t in stored_trials(db_dir, bin_dir))


def group_private_home(bin_dir, checks):
    home, project = private_home()
    before = set(runtime_dirs())
    try:
        r, took = run(bin_dir, project,
                      os.path.join(TOP, "examples", "quickstart.yaml"),
                      timeout=900)
        checks.expect(r.returncode == 0,
                      f"private home: the quickstart exits 0 ({took:.0f} s)",
                      r.stdout[-3000:] + r.stderr[-3000:])
        states = [t.get("state") for t in stored_trials(
            os.path.join(project, "scalebench-data"), bin_dir)]
        checks.expect(len(states) == 24 and
                      set(states) == {"TRIAL_STATE_SUCCEEDED"},
                      "private home: all 24 trials succeeded", str(states))
        checks.expect("N  REQUESTS/S" in r.stdout and
                      "poly:2 fit of requests_per_s on instances" in r.stdout
                      and "usl fit of requests_per_s on instances" in
                      r.stdout,
                      "private home: prints the table and both fits",
                      r.stdout[-3000:])
        checks.expect(os.path.exists(os.path.join(
            project, "scalebench-data", "coordinator.db")),
            "private home: the store is in the project's scalebench-data/")
        checks.expect(os.stat(home).st_mode & 0o777 == 0o700,
                      "private home: the home directory is still mode 700",
                      oct(os.stat(home).st_mode))
        left = set(runtime_dirs()) - before
        checks.expect(not left, "private home: the runtime dir under "
                      f"{RUNTIME_BASE} is removed at the end",
                      " ".join(sorted(left)))
    finally:
        left = our_processes(home) + our_processes(RUNTIME_BASE + "/local-")
        checks.expect(not left, "private home: nothing it started is left "
                      "running", "\n".join(left))
        shutil.rmtree(home, ignore_errors=True)


def group_cannot_run(bin_dir, checks):
    home, project = private_home()
    try:
        # A platform this machine lacks: no Xen toolstack here.
        path = os.path.join(project, "xen.yaml")
        with open(path, "w") as f:
            f.write(NATIVE_SPEC.format(name="needs-xen", platform="xen"))
        r, took = run(bin_dir, project, path, timeout=120)
        out = r.stdout + r.stderr
        checks.expect(r.returncode == 1, f"xen: run exits 1 ({took:.1f} s)",
                      out[-2000:])
        checks.expect("cannot run here" in out and "xen" in out and
                      "platform xen" in out,
                      "xen: the failure says the platform and why", out)
        checks.expect("attempt" not in r.stdout,
                      "xen: no attempt is reported", r.stdout)
        checks.expect(attempts_started(os.path.join(project,
                                                    "scalebench-data"),
                                       bin_dir) == 0,
                      "xen: the store holds no attempt")

        # Files nginx's workers (nobody, under root) cannot reach.
        if os.geteuid() == 0:
            data = os.path.join(project, "closed-data")
            runtime = os.path.join(home, "runtime")
            path = os.path.join(project, "native.yaml")
            with open(path, "w") as f:
                f.write(NATIVE_SPEC.format(name="closed", platform="native"))
            r, took = run(bin_dir, project, path, "--data-dir", data,
                          "--runtime-dir", runtime, timeout=120)
            out = r.stdout + r.stderr
            checks.expect(r.returncode == 1,
                          f"closed: run exits 1 ({took:.1f} s)", out[-2000:])
            checks.expect(f"{home} is not searchable by others" in out and
                          "platform native" in out,
                          "closed: the failure names the directory", out)
            checks.expect(attempts_started(data, bin_dir) == 0,
                          "closed: the store holds no attempt")
            checks.expect(not our_processes(runtime),
                          "closed: nothing was started")

        # A standalone coordinator waits, and says what for.
        tmp = make_tmp("sb-first-run-")
        cluster = Cluster(bin_dir, tmp)
        try:
            cluster.start_coordinator()
            path = os.path.join(tmp, "xen.yaml")
            with open(path, "w") as f:
                f.write(NATIVE_SPEC.format(name="waits", platform="xen"))
            # No worker: submit refuses it, unless told workers will join.
            r = cluster.cli("submit", path)
            checks.expect(r.returncode == 1 and "no worker is synchronizing"
                          in r.stderr and not r.stdout,
                          "waits: submit refuses it with no worker (exit 1)",
                          f"exit {r.returncode}: {r.stdout}{r.stderr}")
            r = cluster.cli("submit", path, "--allow-waiting")
            name = r.stdout.strip().splitlines()[-1] if r.stdout else ""
            checks.expect(r.returncode == 0 and name.startswith("experiments/")
                          and "warning: " in r.stderr,
                          "waits: submitted with --allow-waiting, warned",
                          r.stdout + r.stderr)
            doc = cluster.wait_for(
                lambda: (cluster.experiment(name) or {}).get(
                    "experiment", {}).get("waiting_for"),
                30, "the experiment to say it waits with no worker")
            checks.expect("no worker is synchronizing" in doc,
                          "waits: with no worker, status says so", doc)
            cluster.start_worker("w1")
            doc = cluster.wait_for(
                lambda: "platform xen" in ((cluster.experiment(name) or {})
                                           .get("experiment", {})
                                           .get("waiting_for", "")) and
                cluster.experiment(name)["experiment"]["waiting_for"],
                30, "the experiment to name the worker's reason")
            checks.expect("w1: platform xen:" in doc,
                          "waits: names the worker and why it lacks xen", doc)
            r = cluster.cli("status", name)
            checks.expect("waiting: " in r.stdout and "w1: platform xen" in
                          r.stdout, "waits: status prints what it waits for",
                          r.stdout)
            watch = cluster.cli_async("watch", name)
            r = cluster.cli("cancel", name)
            checks.expect(r.returncode == 0, "waits: cancel is accepted",
                          r.stdout + r.stderr)
            out, err = watch.communicate(timeout=60)
            checks.expect("waiting: " in out and "platform xen" in out,
                          "waits: watch prints what it waits for", out + err)
            doc = cluster.wait_for(
                lambda: (cluster.experiment(name) or {}).get(
                    "experiment", {}).get("state") == "EXPERIMENT_STATE_"
                "CANCELLED" and cluster.experiment(name),
                30, "the experiment to be cancelled")
            checks.expect(all(t["state"] == "TRIAL_STATE_CANCELLED"
                              for t in doc["trials"]) and
                          not doc["experiment"].get("waiting_for"),
                          "waits: cancelled, every trial, nothing waiting",
                          json.dumps(doc)[:2000])
        finally:
            cluster.stop_all()
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)


GROUPS = {"private_home": group_private_home, "cannot_run": group_cannot_run}


if __name__ == "__main__":
    sys.exit(run_groups(__doc__, GROUPS))
