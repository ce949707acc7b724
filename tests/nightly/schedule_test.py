#!/usr/bin/env python3
"""Nightly schedules against the real scalebench-coordinator and a
scalebench-worker, driven through the scalebench CLI, on the wall clock:

  at the minute   a schedule whose cron expression names the next minute
                  starts its experiment in that minute; the experiment
                  names its schedule and night, runs, and its run is judged
                  ("no_baseline": the first)
  killed across   the coordinator is killed (SIGKILL) before a schedule's
                  minute and started again after it: the run starts once,
                  on restart, and a second restart starts nothing more
  by hand         run-now starts a run; run-now again while it goes is
                  refused naming it (exit 1); history shows the runs night
                  by night; pause, resume, list, show and delete do what
                  they say; a bad cron or time zone is refused by add with
                  exit 2 naming the flag

Usage: schedule_test.py --bin DIR
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import datetime
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import run_main  # noqa: E402
from cluster import Cluster, make_tmp, stop_and_check_nothing_left  # noqa: E402

SPEC = """name: nightly-e2e
repetitions: 1
loadgen:
  connections: 4
  duration: 1s
sweep:
  platform: [native]
  instances: [1]
timeouts:
  prepare: 20s
  start_lead: 1s
"""
# Margin before a minute boundary: a schedule for a minute closer than this
# takes the one after.
LEAD_S = 15


def next_minute(lead_s=LEAD_S):
    """The next whole UTC minute at least lead_s seconds away."""
    now = time.time()
    t = (int(now) // 60 + 1) * 60
    if t - now < lead_s:
        t += 60
    return t


def cron_for(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return f"{d.minute} {d.hour} * * *"


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")) \
        .timestamp()


def runs(cluster, name):
    r = cluster.cli("schedule", "runs", name, "--output", "json")
    if r.returncode != 0:
        raise RuntimeError(f"schedule runs {name}: {r.stderr}")
    return json.loads(r.stdout).get("runs", [])


def wait_ended(cluster, experiment, timeout=120):
    def ended():
        doc = cluster.experiment(experiment)
        state = doc and doc["experiment"].get("state", "")
        return state if state in ("EXPERIMENT_STATE_SUCCEEDED",
                                  "EXPERIMENT_STATE_FAILED",
                                  "EXPERIMENT_STATE_CANCELLED") else None
    return cluster.wait_for(ended, timeout, f"{experiment} to end")


def check_at_the_minute(cluster, spec, checks):
    t = next_minute()
    r = cluster.cli("schedule", "add", "at-minute", "--spec", spec,
                    "--cron", cron_for(t))
    checks.expect(r.returncode == 0, "add: a schedule for the next minute",
                  r.stderr)
    found = cluster.wait_for(lambda: runs(cluster, "at-minute"),
                             t - time.time() + 20, "the scheduled run")
    run = found[0]
    checks.expect(len(found) == 1 and parse_time(run["night"]) == t,
                  "at the minute: one run, for that minute's night",
                  json.dumps(found))
    doc = cluster.experiment(run["experiment"])["experiment"]
    created = parse_time(doc["create_time"])
    checks.expect(t <= created <= t + 3,
                  "at the minute: its experiment was created within 3 s of "
                  "the minute", f"created {created - t:+.1f} s after it")
    checks.expect(doc.get("schedule") == "schedules/at-minute" and
                  parse_time(doc["night"]) == t,
                  "at the minute: the experiment names its schedule and night",
                  json.dumps(doc))
    state = wait_ended(cluster, run["experiment"])
    checks.expect(state == "EXPERIMENT_STATE_SUCCEEDED",
                  "at the minute: the experiment ran and succeeded", state)
    judged = cluster.wait_for(
        lambda: runs(cluster, "at-minute")[0].get("verdict"), 10,
        "the verdict")
    checks.expect(judged == "no_baseline",
                  "at the minute: the first run is judged 'no_baseline'",
                  judged)


def check_killed_across_the_minute(cluster, spec, checks):
    t = next_minute(lead_s=LEAD_S + 10)
    r = cluster.cli("schedule", "add", "across", "--spec", spec,
                    "--cron", cron_for(t))
    checks.expect(r.returncode == 0, "add: a second schedule", r.stderr)
    time.sleep(max(0, t - 5 - time.time()))
    killed = time.time()
    code = cluster.kill("coordinator")
    time.sleep(max(0, t + 5 - time.time()))
    restarted = time.time()
    checks.expect(code == -signal.SIGKILL and killed < t < restarted,
                  "killed the coordinator (SIGKILL) before the minute and "
                  "kept it down until after it",
                  f"exit {code}; killed {killed - t:+.1f} s and restarted "
                  f"{restarted - t:+.1f} s from the minute")
    cluster.start_coordinator()
    found = cluster.wait_for(lambda: runs(cluster, "across"), 15,
                             "the run after the restart")
    checks.expect(len(found) == 1 and parse_time(found[0]["night"]) == t and
                  found[0].get("missed_firings", 0) == 0,
                  "killed across: the run starts once, for the missed minute",
                  json.dumps(found))
    doc = cluster.experiment(found[0]["experiment"])["experiment"]
    checks.expect(parse_time(doc["create_time"]) >= restarted,
                  "killed across: it started after the restart")
    time.sleep(3)
    cluster.kill("coordinator")
    cluster.start_coordinator()
    time.sleep(3)
    again = runs(cluster, "across")
    r = cluster.cli("status", "--output", "json")
    listed = [e for e in json.loads(r.stdout).get("experiments", [])
              if e.get("schedule") == "schedules/across"]
    checks.expect(len(again) == 1 and len(listed) == 1,
                  "killed across: a second restart starts nothing more",
                  f"{len(again)} runs, {len(listed)} experiments")
    wait_ended(cluster, found[0]["experiment"])


def check_by_hand(cluster, spec, checks):
    r = cluster.cli("schedule", "run-now", "at-minute")
    checks.expect(r.returncode == 0, "run-now: starts a run", r.stderr)
    experiment = r.stdout.strip().splitlines()[-1]
    r = cluster.cli("schedule", "run-now", "at-minute")
    checks.expect(r.returncode == 1 and experiment in r.stderr and
                  "still going" in r.stderr,
                  "run-now: refused while the previous run goes, naming it",
                  f"exit {r.returncode}: {r.stderr}")
    wait_ended(cluster, experiment)
    got = runs(cluster, "at-minute")
    checks.expect(got[0]["experiment"] == experiment and got[0].get("manual"),
                  "run-now: recorded as a run by hand", json.dumps(got[0]))

    r = cluster.cli("history", "at-minute", "--output", "json")
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    configurations = doc.get("configurations", [])
    points = configurations[0]["points"] if configurations else []
    checks.expect(len(configurations) == 1 and
                  [p["experiment"] for p in points] ==
                  [run["experiment"] for run in reversed(got)] and
                  configurations[0]["change_points"] == [],
                  "history: the schedule's two successful runs, night by "
                  "night, no shift", r.stdout + r.stderr)
    r = cluster.cli("history", "nobody")
    checks.expect(r.returncode == 2 and "no schedule" in r.stderr,
                  "history: an unknown schedule exits 2", r.stderr)

    r = cluster.cli("schedule", "pause", "across")
    shown = json.loads(cluster.cli("schedule", "show", "across", "--output",
                                   "json").stdout)
    checks.expect(r.returncode == 0 and shown.get("paused") and
                  "next_run_time" not in shown,
                  "pause: paused, no next run", json.dumps(shown))
    r = cluster.cli("schedule", "resume", "across")
    shown = json.loads(cluster.cli("schedule", "show", "across", "--output",
                                   "json").stdout)
    checks.expect(r.returncode == 0 and not shown.get("paused") and
                  parse_time(shown["next_run_time"]) > time.time(),
                  "resume: a next run in the future", json.dumps(shown))
    listing = cluster.cli("schedule", "list").stdout
    checks.expect("schedules/at-minute" in listing and
                  "schedules/across" in listing,
                  "list: both schedules", listing)
    r = cluster.cli("schedule", "delete", "across")
    gone = cluster.cli("schedule", "show", "across")
    checks.expect(r.returncode == 0 and gone.returncode == 2 and
                  "no schedule" in gone.stderr,
                  "delete: the schedule is gone", gone.stderr)

    for flags, what in ((["--cron", "0 25 * * *"], "--cron"),
                        (["--cron", "0 2 * * *", "--time-zone",
                          "Europe/Lisbn"], "--time-zone"),
                        (["--cron", "0 2 * * *", "--threshold", "300%"],
                         "--threshold")):
        r = cluster.cli("schedule", "add", "bad", "--spec", spec, *flags)
        checks.expect(r.returncode == 2 and what in r.stderr,
                      f"add: a bad {what} is refused naming it",
                      f"exit {r.returncode}: {r.stderr}")


def run(bin_dir, checks):
    tmp = make_tmp("sb-nightly-")
    cluster = Cluster(bin_dir, tmp)
    try:
        spec = os.path.join(tmp, "nightly.yaml")
        with open(spec, "w") as f:
            f.write(SPEC)
        cluster.start_coordinator()
        cluster.start_worker("w1")
        check_at_the_minute(cluster, spec, checks)
        check_killed_across_the_minute(cluster, spec, checks)
        check_by_hand(cluster, spec, checks)
    finally:
        stop_and_check_nothing_left(cluster, tmp, checks, "nightly")


if __name__ == "__main__":
    sys.exit(run_main(__doc__, run, "the test ran to the end"))
