"""A tally of named checks for the Python end-to-end tests: one line per
check, then the plain closing line 'N passed, M failed' that CI reads."""


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
