"""The one-machine testbed (deploy/testbed/testbed) as a test uses it: up N
hosts, the CLI pointed at its coordinator over mutual TLS, and down with a
check that nothing of it is left. Needs root; the sbtb- names are fixed, so
one testbed test runs at a time (ctest label `testbed`)."""
import os
import subprocess

from cluster import ClusterView, our_processes

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TESTBED = os.path.join(TOP, "deploy", "testbed", "testbed")
STATE = os.environ.get("SCALEBENCH_TESTBED_DIR", "/tmp/sbtb")


class Testbed(ClusterView):
    """A testbed of `hosts` hosts this object brought up (`up` again is
    idempotent: it restarts only what died), and the CLI pointed at it.
    `clock_offsets`, e.g. "h1=+300ms,h2=-400ms", is `up`'s --clock-offsets
    (deploy/testbed/clock.sh)."""

    def __init__(self, bin_dir, tmp, hosts=3, timeout=120, clock_offsets=""):
        self.bin = bin_dir
        self.tmp = tmp  # the test's files (specs); the caller removes it
        self.hosts = hosts
        self.timeout = timeout
        self.clock_offsets = clock_offsets
        # The CLI's environment: ours, SCALEBENCH_BIN for the deploy
        # scripts, and the four SCALEBENCH_ lines `up` prints.
        self.env = dict(os.environ, SCALEBENCH_BIN=bin_dir)
        self.env.update(self.up())

    def up(self):
        """Runs `testbed up N`; returns the variables it prints. Raises
        RuntimeError with its stderr when it fails."""
        out = Testbed.run("up", str(self.hosts), *(
            ["--clock-offsets", self.clock_offsets] if self.clock_offsets
            else []), timeout=self.timeout, env=self.env)
        if out.returncode != 0:
            raise RuntimeError(f"testbed up {self.hosts} failed: "
                               f"{out.stderr[-2000:]}")
        return dict(line.split("=", 1) for line in out.stdout.splitlines()
                    if "=" in line)

    def restart_what_died(self):
        self.up()

    def cli(self, *args, timeout=60):
        return subprocess.run([os.path.join(self.bin, "scalebench"), *args],
                              capture_output=True, text=True,
                              timeout=timeout, env=self.env)

    def cli_async(self, *args):
        return subprocess.Popen([os.path.join(self.bin, "scalebench"), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=self.env)

    @staticmethod
    def pid_of(path):
        """The pid in a pid file under the testbed's state dir (`coord/
        coordinator.pid`, `hK/worker.pid`)."""
        with open(os.path.join(STATE, path)) as f:
            return int(f.read().strip())

    @staticmethod
    def run(*args, timeout=60, env=None):
        """`testbed ARGS...` (status, clock hK +50ms, ...), its output
        captured as text."""
        return subprocess.run([TESTBED, *args], capture_output=True,
                              text=True, timeout=timeout, env=env)

    @staticmethod
    def down():
        """`testbed down`; idempotent, also after a failed `up`."""
        subprocess.run([TESTBED, "down"], capture_output=True, timeout=300)


def check_nothing_left(checks, label):
    """After `down`: no process whose command line names the state dir, and
    no sbtb- network namespace."""
    left = our_processes(STATE)
    checks.expect(not left, f"{label}: nothing is left running",
                  "\n".join(left))
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True).stdout
    checks.expect("sbtb-" not in netns, f"{label}: no testbed namespace is "
                  "left", netns)
