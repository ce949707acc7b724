"""Whether a testbed worker's wall clock is offset as `testbed up
--clock-offsets` said (deploy/testbed/clock.sh): the worker process has
the wall-clock shim mapped, and a clock read made with the worker's very
environment (read from /proc) differs from the machine's clock by the
offset. Needs root (another process's environ and maps)."""
import os
import subprocess
import sys

# Run under the worker's environment: the shifted CLOCK_REALTIME (libc's
# clock_gettime, which the shim replaces) against the kernel's, read by
# the raw system call (which it cannot replace) just before and after.
# Prints the offset and the width of the bracket, in nanoseconds; the
# narrowest of several tries.
_PROBE = r"""
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]
SYS_clock_gettime = 228  # x86_64
def kernel_ns():
    ts = Timespec()
    if libc.syscall(SYS_clock_gettime, 0, ctypes.byref(ts)) != 0:
        raise OSError(ctypes.get_errno(), "clock_gettime")
    return ts.sec * 1_000_000_000 + ts.nsec
best = None
for _ in range(50):
    before = kernel_ns()
    faked = time.clock_gettime_ns(time.CLOCK_REALTIME)
    after = kernel_ns()
    sample = (after - before, faked - (before + after) // 2)
    best = min(best or sample, sample)
print(best[1], best[0])
"""


def process_environ(pid):
    """The environment process `pid` was started with, as a dict."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        items = f.read().split(b"\0")
    return dict(item.decode().split("=", 1) for item in items if b"=" in item)


def has_shim(pid):
    """Whether the wall-clock shim is mapped into process `pid`."""
    with open(f"/proc/{pid}/maps") as f:
        return "wallclock_shim.so" in f.read()


def shim_offset_ns(env):
    """(offset, bracket) in nanoseconds: the wall clock a process started
    with `env` reads, minus the kernel's, and how wide the bracket of the
    two kernel reads around it was."""
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env,
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError(f"clock probe failed: {out.stderr[-500:]}")
    offset, bracket = map(int, out.stdout.split())
    return offset, bracket


def offset_file_us(state_dir, host):
    """The offset in hK/clock ("+300000000", nanoseconds), in
    microseconds."""
    with open(os.path.join(state_dir, host, "clock")) as f:
        return int(f.read().strip()) // 1000
