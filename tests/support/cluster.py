"""The processes of an end-to-end test: scalebench-coordinator,
scalebench-worker and the CLI run as separate processes on this host, each
stopped by pid whatever happens, and a check that nothing a worker started
outlives the test."""
import json
import os
import shutil
import signal
import socket
import subprocess
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
    nginx and haproxy read their configs under it)."""
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
        if marker in cmdline and state != "Z" and "cluster_test" not in cmdline:
            found.append(f"{pid}: {cmdline.strip()}")
    return found


class Cluster:
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
        """A coordinator and workers w1 and w2, one on each of CPUs 0, 1."""
        self.start_coordinator()
        self.start_worker("w1", ["--cpus", "0"])
        self.start_worker("w2", ["--cpus", "1"])

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

    def experiment(self, name):
        r = self.cli("status", name, "--output", "json")
        if r.returncode != 0:
            return None
        return json.loads(r.stdout)

    def wait_for(self, predicate, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.5)
        raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def stop_and_check_nothing_left(cluster, tmp, checks, label):
    """Stops every process of `cluster`, checks that nothing its workers
    started still runs, and removes `tmp`."""
    cluster.stop_all()
    left = our_processes(tmp)
    checks.expect(not left, f"{label}: nothing a worker started is left "
                  "running", "\n".join(left))
    shutil.rmtree(tmp, ignore_errors=True)


def submit_and_watch(cluster, checks, label, spec_text):
    """Writes `spec_text` as LABEL.yaml, submits it and watches it to its
    end, checking both; returns the experiment's name."""
    path = os.path.join(cluster.tmp, f"{label}.yaml")
    with open(path, "w") as f:
        f.write(spec_text)
    r = cluster.cli("submit", path)
    lines = r.stdout.strip().splitlines()
    name = lines[-1] if lines else ""
    checks.expect(r.returncode == 0 and name.startswith("experiments/exp-"),
                  f"{label}: submitted", r.stdout + r.stderr)
    started = time.time()
    r = cluster.cli("watch", name, timeout=150)
    checks.expect(r.returncode == 0, f"{label}: watch exits 0 "
                  f"({time.time() - started:.0f} s)",
                  r.stdout[-2000:] + r.stderr[-2000:])
    return name
