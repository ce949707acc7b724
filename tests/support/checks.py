"""A tally of named checks for the Python end-to-end tests: one line per
check, then the plain closing line 'N passed, M failed' that CI reads."""
import argparse
import os


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def expect(self, ok, what, detail=""):
        """Records one check; prints `detail` under a failure."""
        if ok:
            self.passed += 1
            print(f"ok    {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {what}\n      {detail}", flush=True)

    def finish(self):
        """Prints the closing line; returns the exit code (1 on a failure)."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def run_groups(doc, groups):
    """The main() of a test script made of groups: `--bin DIR --group NAME`
    runs groups[NAME](bin_dir, checks); a step that raises is a failed
    check, not a crash. Returns the exit code."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--group", required=True, choices=sorted(groups))
    args = parser.parse_args()
    return _run(lambda checks: groups[args.group](os.path.abspath(args.bin),
                                                  checks),
                f"{args.group}: ran to the end")


def run_main(doc, body, what="ran to the end"):
    """The main() of a test script of one part: `--bin DIR` runs
    body(bin_dir, checks); a step that raises is a failed check named
    `what`, not a crash. Returns the exit code."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--bin", required=True)
    args = parser.parse_args()
    return _run(lambda checks: body(os.path.abspath(args.bin), checks), what)


def _run(step, what):
    checks = Checks()
    try:
        step(checks)
    except Exception as e:  # A broken step is a failed check, not a crash.
        checks.expect(False, what, repr(e))
    return checks.finish()

