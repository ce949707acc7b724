#!/usr/bin/env python3
"""The metrics endpoints scraped by a real Prometheus (Debian's
/usr/bin/prometheus), checked against what the CLI says.

scalebench-coordinator and one scalebench-worker run on loopback, each
with --metrics-listen; Prometheus, with its own config and TSDB in a temp
dir, scrapes both every second. The test runs a small experiment (native
nginx, 2 trials of 1 s), and a schedule's run-now followed by cancel (a
'failed' verdict), then asks Prometheus (/api/v1/query) for:

  - scalebench_experiments by state   == `scalebench status --output json`
  - scalebench_trials by state        == the trials of each experiment
  - scalebench_attempts_failed_total  == the attempts' failure kinds
  - scalebench_workers by status      == `scalebench workers --output json`
  - scalebench_schedule_last_verdict  == `scalebench schedule list`
  - scalebench_worker_trials_total{outcome="succeeded"} == the 2 trials
  - scalebench_synchronize_handling_seconds_count > 0
  - both targets up.

It also checks that every metric name the Grafana dashboard
(deploy/grafana/scalebench.json) queries is one the daemons export.

Usage: prometheus_test.py --bin DIR [--prometheus PATH]
One line per check, then 'N passed, M failed'; exit 1 on a failure.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "support"))
from checks import Checks  # noqa: E402
from cluster import (Cluster, free_port, make_tmp,  # noqa: E402
                     stop_and_check_nothing_left)
from specs import native_spec  # noqa: E402

DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "scalebench.json")

CONFIG = """global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: scalebench-coordinator
    static_configs:
      - targets: ['{coordinator}']
  - job_name: scalebench-worker
    static_configs:
      - targets: ['{worker}']
"""


def short(enum_value, prefix):
    """EXPERIMENT_STATE_SUCCEEDED -> succeeded (api/enum_names.h)."""
    return enum_value[len(prefix):].lower()


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


class Prometheus:
    """A private Prometheus, stopped by pid."""

    def __init__(self, binary, tmp, targets):
        self.port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write(CONFIG.format(**targets))
        self.log = open(os.path.join(tmp, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=self.log)

    def query(self, expr):
        """{labels-tuple: value} of an instant vector."""
        url = (f"http://127.0.0.1:{self.port}/api/v1/query?" +
               urllib.parse.urlencode({"query": expr}))
        body = json.loads(http_get(url))
        if body.get("status") != "success":
            raise RuntimeError(f"query {expr}: {body}")
        out = {}
        for sample in body["data"]["result"]:
            labels = {k: v for k, v in sample["metric"].items()
                      if k not in ("__name__", "instance")}
            out[tuple(sorted(labels.items()))] = float(sample["value"][1])
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def by_label(samples, label):
    """{label value: sample value}; a label appearing in several series
    (one per job) is summed."""
    out = {}
    for labels, v in samples.items():
        key = dict(labels).get(label)
        out[key] = out.get(key, 0) + v
    return out


def cli_json(cluster, *args):
    r = cluster.cli(*args, "--output", "json")
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr}")
    return json.loads(r.stdout)


def expected_from_cli(cluster):
    """What the CLI says, in the metrics' label spelling."""
    experiments = cli_json(cluster, "status").get("experiments", [])
    exp_states, trial_states, failures = {}, {}, {}
    for e in experiments:
        s = short(e["state"], "EXPERIMENT_STATE_")
        exp_states[s] = exp_states.get(s, 0) + 1
        detail = cli_json(cluster, "status", e["name"])
        for t in detail.get("trials", []):
            s = short(t["state"], "TRIAL_STATE_")
            trial_states[s] = trial_states.get(s, 0) + 1
            for a in t.get("attempts", []):
                if "failure" in a:
                    k = short(a["failure"]["kind"], "FAILURE_KIND_")
                    failures[k] = failures.get(k, 0) + 1
    workers = {}
    for w in cli_json(cluster, "workers").get("workers", []):
        s = short(w["status"], "WORKER_STATUS_")
        workers[s] = workers.get(s, 0) + 1
    verdicts = {}
    for sch in cli_json(cluster, "schedule", "list").get("schedules", []):
        verdicts[sch["name"].split("/", 1)[1]] = \
            sch.get("last_run", {}).get("verdict", "")
    return exp_states, trial_states, failures, workers, verdicts


def nonzero(d):
    return {k: v for k, v in d.items() if v}


def compare(prom, expected):
    """The differences between Prometheus' latest values and the CLI's."""
    exp_states, trial_states, failures, workers, verdicts = expected
    diffs = []
    for metric, label, want in (
            ("scalebench_experiments", "state", exp_states),
            ("scalebench_trials", "state", trial_states),
            ("scalebench_attempts_failed_total", "kind", failures),
            ("scalebench_workers", "status", workers)):
        got = nonzero(by_label(prom.query(metric), label))
        if got != {k: float(v) for k, v in want.items()}:
            diffs.append(f"{metric}: prometheus {got} cli {want}")
    got_verdicts = {}
    for labels, v in prom.query("scalebench_schedule_last_verdict").items():
        d = dict(labels)
        if v == 1:
            got_verdicts[d["schedule"]] = d["verdict"]
    want_verdicts = nonzero(verdicts)
    if got_verdicts != want_verdicts:
        diffs.append(f"verdicts: prometheus {got_verdicts} cli "
                     f"{want_verdicts}")
    return diffs


def dashboard_metrics():
    with open(DASHBOARD) as f:
        board = json.load(f)
    names = set()
    for panel in board.get("panels", []):
        for target in panel.get("targets", []):
            names.update(re.findall(r"scalebench_[a-z_]+", target["expr"]))
    return board, names


def exported_names(address):
    text = http_get(f"http://{address}/metrics")
    names = set(re.findall(r"^# TYPE (\S+) ", text, re.M))
    # A histogram's series are NAME_bucket/_sum/_count.
    for n in list(names):
        names.update({n + "_bucket", n + "_sum", n + "_count"})
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--prometheus", default="/usr/bin/prometheus")
    args = parser.parse_args()
    checks = Checks()
    started = time.time()
    tmp = make_tmp("sb-prometheus-")
    cluster = Cluster(args.bin, tmp)
    prom = None
    try:
        if not os.access(args.prometheus, os.X_OK):
            raise RuntimeError(f"{args.prometheus} is missing: run "
                               "deploy/install-deps.sh (package prometheus)")
        r = subprocess.run(
            [os.path.join(args.bin, "scalebench-coordinator"), "--listen",
             f"127.0.0.1:{free_port()}", "--db",
             os.path.join(tmp, "refused.db"), "--metrics-listen",
             f"0.0.0.0:{free_port()}"],
            capture_output=True, text=True, timeout=20)
        checks.expect(r.returncode == 2 and
                      "--metrics-allow-remote" in r.stderr,
                      "a metrics address off loopback is refused (exit 2) "
                      "without --metrics-allow-remote",
                      f"rc={r.returncode} {r.stderr!r}")
        coordinator_metrics = f"127.0.0.1:{free_port()}"
        worker_metrics = f"127.0.0.1:{free_port()}"
        cluster.start_coordinator(
            extra=("--metrics-listen", coordinator_metrics))
        cluster.start_worker("w1", ["--metrics-listen", worker_metrics])
        prom = Prometheus(args.prometheus, tmp, {
            "coordinator": coordinator_metrics, "worker": worker_metrics})
        cluster.wait_for(lambda: "idle" in cluster.cli("workers").stdout, 30,
                         "the worker")

        spec = os.path.join(tmp, "spec.yaml")
        with open(spec, "w") as f:
            f.write(native_spec("metrics", repetitions=1, connections=8,
                                warmup="200ms", instances=(1, 2)))
        r = cluster.cli("submit", spec)
        name = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        checks.expect(r.returncode == 0 and name.startswith("experiments/"),
                      "submitted a 2-trial native experiment", r.stderr)
        r = cluster.cli("watch", name, timeout=90)
        checks.expect(r.returncode == 0, "the experiment succeeded",
                      r.stdout[-1500:] + r.stderr[-1500:])

        r = cluster.cli("schedule", "add", "nightly", "--spec", spec,
                        "--cron", "0 0 1 1 *")
        checks.expect(r.returncode == 0, "added a schedule", r.stderr)
        r = cluster.cli("schedule", "run-now", "nightly")
        run = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        r2 = cluster.cli("cancel", run)
        checks.expect(r.returncode == 0 and r2.returncode == 0,
                      "run-now then cancel", r.stderr + r2.stderr)
        cluster.wait_for(
            lambda: expected_from_cli(cluster)[4].get("nightly") == "failed",
            30, "the run's 'failed' verdict")

        # Prometheus scrapes every second: wait until its latest samples
        # are the CLI's (the state no longer changes).
        expected = expected_from_cli(cluster)
        diffs = []
        deadline = time.time() + 20
        while time.time() < deadline:
            diffs = compare(prom, expected)
            if not diffs:
                break
            time.sleep(1)
        checks.expect(not diffs, "Prometheus has what the CLI says: "
                      f"experiments {expected[0]}, trials {expected[1]}, "
                      f"failed attempts {expected[2]}, workers "
                      f"{expected[3]}, verdicts {expected[4]}",
                      "\n      ".join(diffs))
        checks.expect(expected[0].get("succeeded") == 1 and
                      expected[1].get("succeeded") == 2 and
                      expected[4].get("nightly") == "failed",
                      "the CLI saw one succeeded experiment, 2 succeeded "
                      "trials and a failed verdict", repr(expected))

        up = prom.query('count by (job) (up == 1)')
        checks.expect(by_label(up, "job") == {"scalebench-coordinator": 1.0,
                                              "scalebench-worker": 1.0},
                      "both targets are up", repr(up))
        rows = by_label(prom.query("process_resident_memory_bytes"), "job")
        checks.expect(sorted(rows) == ["scalebench-coordinator",
                                       "scalebench-worker"] and
                      all(v > 1e6 for v in rows.values()),
                      f"both daemons export process metrics ({rows})",
                      repr(rows))
        # One series each, and what its value must be.
        for expr, holds, what in (
                ('scalebench_worker_trials_total{outcome="succeeded"}',
                 lambda v: v == 2.0, "the worker counted its 2 succeeded "
                 "trials"),
                ("scalebench_worker_last_trial_requests_per_second",
                 lambda v: v > 100, "the worker's last run's requests/s is "
                 "real"),
                ("scalebench_worker_synchronizing", lambda v: v == 1.0,
                 "the worker is synchronizing"),
                ("scalebench_synchronize_handling_seconds_count",
                 lambda v: v > 0, "Synchronize handling times are recorded")):
            values = list(prom.query(expr).values())
            checks.expect(len(values) == 1 and holds(values[0]),
                          f"{what} ({values})", f"{expr}: {values}")
        mean = prom.query("scalebench_synchronize_handling_seconds_sum / "
                          "scalebench_synchronize_handling_seconds_count")
        print(f"figure: mean Synchronize handling "
              f"{[round(v * 1e6) for v in mean.values()]} us")
        scrape_started = time.perf_counter()
        http_get(f"http://{coordinator_metrics}/metrics")
        print(f"figure: one scrape of the coordinator took "
              f"{(time.perf_counter() - scrape_started) * 1e3:.1f} ms")
        rows = prom.query('scalebench_worker_clock_offset_seconds{worker="w1"}')
        checks.expect(len(rows) == 1 and abs(list(rows.values())[0]) < 0.05,
                      "w1's clock offset on one host is near 0", repr(rows))

        board, queried = dashboard_metrics()
        exported = exported_names(coordinator_metrics) | \
            exported_names(worker_metrics)
        missing = sorted(queried - exported)
        checks.expect(queried and not missing,
                      f"the dashboard's {len(board['panels'])} panels query "
                      f"{len(queried)} metric names, all exported",
                      f"not exported: {missing}")
        datasource = [v for v in board.get("templating", {}).get("list", [])
                      if v.get("type") == "datasource" and
                      v.get("query") == "prometheus"]
        checks.expect(len(datasource) == 1,
                      "the dashboard has a Prometheus datasource variable")
    except Exception as e:  # noqa: BLE001 - reported as a failed check
        checks.expect(False, "the test ran to the end", repr(e))
    finally:
        if prom is not None:
            prom.stop()
        stop_and_check_nothing_left(cluster, tmp, checks, "prometheus")
    print(f"took {time.time() - started:.0f} s")
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
