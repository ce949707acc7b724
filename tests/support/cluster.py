"""The processes of an end-to-end test: scalebench-coordinator,
scalebench-worker and the CLI run as separate processes on this host, each
stopped by pid whatever happens, and a check that nothing a worker started
outlives the test."""
import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def make_tmp(prefix):
    """A temp dir nginx's workers (user nobody) can traverse."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)
    return tmp


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def our_processes(marker):
    """Live processes whose command line contains `marker` (a state dir:
    nginx and haproxy read their configs under it; an owner prefix: QEMU is
    named after its target), other than this test script itself."""
    me = os.path.splitext(os.path.basename(sys.argv[0]))[0] or "\0"
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z" and me not in cmdline:
            found.append(f"{pid}: {cmdline.strip()}")
    return found


def wait_for(predicate, timeout, what, interval=0.5):
    """Calls `predicate` every `interval` seconds until it returns something
    true, and returns that; raises RuntimeError naming `what` once `timeout`
    seconds have passed without it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class ClusterView:
    """What a test asks of a running coordinator through the CLI. A subclass
    gives cli(*args, **options), which returns a CompletedProcess."""

    def experiment(self, name):
        """`status NAME --output json`, or None when it fails."""
        r = self.cli("status", name, "--output", "json")
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def workers(self, **cli_options):
        """`workers --output json` as {name: worker}; {} when the call fails
        (the coordinator is down, or refuses us)."""
        r = self.cli("workers", "--output", "json", **cli_options)
        if r.returncode != 0:
            return {}
        return {w["name"].split("/")[-1]: w
                for w in json.loads(r.stdout).get("workers", [])}

    def worker_status(self, name, **cli_options):
        """Worker `name`'s status ("WORKER_STATUS_LOST", ...); "" when it
        is not listed."""
        return self.workers(**cli_options).get(name, {}).get("status", "")

    def wait_for(self, predicate, timeout, what):
        return wait_for(predicate, timeout, what)


class Cluster(ClusterView):
    """The processes of one test, stopped (by pid) whatever happens."""

    def __init__(self, bin_dir, tmp, netns=None):
        self.bin = bin_dir
        self.tmp = tmp
        self.netns = netns
        self.procs = {}
        self.address = None
        self.db = os.path.join(tmp, "coordinator.db")

    def _cmd(self, args):
        if self.netns:
            return ["ip", "netns", "exec", self.netns] + args
        return args

    def start_coordinator(self, listen=None, tls=(), expect_ok=True,
                          extra=()):
        listen = listen or self.address or f"127.0.0.1:{free_port()}"
        log = open(os.path.join(self.tmp, "coordinator.log"), "a")
        proc = subprocess.Popen(
            self._cmd([os.path.join(self.bin, "scalebench-coordinator"),
                       "--listen", listen, "--db", self.db, *tls, *extra]),
            stdout=subprocess.PIPE, stderr=log, text=True)
        line = proc.stdout.readline()
        if not expect_ok:
            proc.wait(timeout=10)
            return proc
        if "listening on" not in line:
            proc.kill()
            raise RuntimeError(f"coordinator did not start: {line!r}; see "
                               f"{log.name}")
        self.address = line.split("listening on ")[1].strip()
        self.procs["coordinator"] = proc
        return proc

    def start_worker(self, name, extra=(), state_dir=None):
        state_dir = state_dir or os.path.join(self.tmp, f"state-{name}")
        log = open(os.path.join(self.tmp, f"worker-{name}.log"), "a")
        proc = subprocess.Popen(
            self._cmd([os.path.join(self.bin, "scalebench-worker"),
                       "--coordinator", self.address, "--name", name,
                       "--state-dir", state_dir, *extra]),
            stdout=log, stderr=log)
        self.procs[name] = proc
        return proc

    def cli(self, *args, timeout=60, env_extra=None):
        env = dict(os.environ, SCALEBENCH_COORDINATOR=self.address or "")
        env.update(env_extra or {})
        return subprocess.run(
            self._cmd([os.path.join(self.bin, "scalebench"), *args]),
            capture_output=True, text=True, timeout=timeout, env=env)

    def cli_async(self, *args):
        env = dict(os.environ, SCALEBENCH_COORDINATOR=self.address)
        return subprocess.Popen(
            self._cmd([os.path.join(self.bin, "scalebench"), *args]),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def start_coordinator_and_two_workers(self):
        """A coordinator and workers w1 and w2, one on each of CPUs 0, 1,
        once both synchronize with it (submit refuses what the workers
        synchronizing could not run)."""
        self.start_coordinator()
        self.start_worker("w1", ["--cpus", "0"])
        self.start_worker("w2", ["--cpus", "1"])
        self.wait_for_workers(["w1", "w2"])

    def wait_for_workers(self, names, timeout=30):
        """Waits until `scalebench workers` lists every one of `names`."""
        def listed():
            r = self.cli("workers", "--output", "json")
            if r.returncode != 0:
                return False
            known = {w.get("name", "").split("/")[-1]
                     for w in json.loads(r.stdout).get("workers", [])}
            return set(names) <= known
        self.wait_for(listed, timeout, f"workers {', '.join(names)}")

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        return proc.returncode

    def stop_all(self):
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()



def stop_and_check_nothing_left(cluster, tmp, checks, label):
    """Stops every process of `cluster`, checks that nothing its workers
    started still runs, and removes `tmp`."""
    cluster.stop_all()
    left = our_processes(tmp)
    checks.expect(not left, f"{label}: nothing a worker started is left "
                  "running", "\n".join(left))
    shutil.rmtree(tmp, ignore_errors=True)


def trials_in_state(doc, state):
    """How many of an experiment's trials (`status --output json`) are in
    `state`."""
    return sum(1 for t in doc.get("trials", []) if t.get("state") == state)


def submit(cluster, checks, spec_text, label):
    """Writes `spec_text` as LABEL.yaml under cluster.tmp and submits it,
    checking that submit exits 0 and prints the experiment's name last;
    returns that name. `cluster` is a Cluster or a Testbed."""
    path = os.path.join(cluster.tmp, f"{label}.yaml")
    with open(path, "w") as f:
        f.write(spec_text)
    r = cluster.cli("submit", path)
    checks.expect(r.returncode == 0, f"{label}: submit exits 0",
                  r.stdout + r.stderr)
    lines = r.stdout.strip().splitlines()
    name = lines[-1] if lines else ""
    checks.expect(name.startswith("experiments/exp-"),
                  f"{label}: submit prints the experiment's name last", r.stdout)
    return name


def check_results(cluster, checks, name, trials, label):
    """The CSV has a header and exactly one row per trial, no duplicates,
    every trial succeeded with exactly one merged result, and the JSON has
    each trial with its start skew. Returns `status --output json`."""
    r = cluster.cli("results", name, "--output", "csv")
    checks.expect(r.returncode == 0, f"{label}: results --output csv exits 0",
                  r.stderr)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    ids = [row.get("trial_id") for row in rows]
    checks.expect(len(rows) == trials and len(set(ids)) == trials,
                  f"{label}: the CSV has exactly {trials} rows, one per trial",
                  f"{len(rows)} rows, {len(set(ids))} distinct: {ids}")
    checks.expect(all(float(row["requests_per_s"]) > 0 for row in rows),
                  f"{label}: every row measured requests", r.stdout[:2000])
    doc = cluster.experiment(name)
    succeeded = trials_in_state(doc, "TRIAL_STATE_SUCCEEDED")
    checks.expect(succeeded == trials,
                  f"{label}: all {trials} trials succeeded", f"{succeeded}")
    r = cluster.cli("results", name, "--output", "json")
    items = json.loads(r.stdout) if r.returncode == 0 else []
    checks.expect(len(items) == trials and
                  all("start_skew_us" in item for item in items),
                  f"{label}: results --output json has each trial with its "
                  "start skew", r.stdout[:1000] + r.stderr)
    return doc


def submit_and_watch(cluster, checks, label, spec_text):
    """Writes `spec_text` as LABEL.yaml, submits it and watches it to its
    end, checking both; returns the experiment's name."""
    name = submit(cluster, checks, spec_text, label)
    started = time.time()
    r = cluster.cli("watch", name, timeout=150)
    checks.expect(r.returncode == 0, f"{label}: watch exits 0 "
                  f"({time.time() - started:.0f} s)",
                  r.stdout[-2000:] + r.stderr[-2000:])
    return name
