#!/usr/bin/env python3
"""Webhook notifications against the real scalebench-coordinator, with a
local HTTP receiver this test starts on loopback. A run that ends without
succeeding (here: started by hand and cancelled, which needs no worker) is
judged "failed" and notified:

  retried      the receiver answers the first POST with 500: the
               coordinator tries again after its backoff and stops at the
               200; the payload is JSON with a `text` field, the event, the
               schedule and the experiment, and an Idempotency-Key header
  killed       the receiver holds the next POST unanswered while the
               coordinator is killed (SIGKILL) and started again: the
               restarted coordinator sends the event again, with the same
               Idempotency-Key, and then never again once answered

Delivery over HTTP is at least once: a coordinator killed after sending and
before the answer cannot know whether the receiver acted. Every POST of an
event carries the event's key, so a receiver that keys on it (this one does)
sees exactly one notification per event; the test prints both counts.

Usage: webhook_test.py --bin DIR
Prints one line per check and 'N passed, M failed'; exit 1 on a failure.
"""
import http.server
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "support"))
from checks import run_main  # noqa: E402
from cluster import Cluster, make_tmp, stop_and_check_nothing_left  # noqa: E402

# Secrets that must never reach a log line: the webhook URL's path and
# query (a bearer secret), and a spec header's value.
URL_SECRET = "hook-s3cr3t-path"
QUERY_SECRET = "t0ken-s3cr3t"
HEADER_SECRET = "Bearer h3ad3r-s3cr3t"

SPEC = """name: webhook-e2e
loadgen:
  duration: 1s
  headers: ["Authorization: """ + HEADER_SECRET + """"]
sweep:
  platform: [native]
  instances: [1]
"""
SETTLE_S = 4


class Receiver:
    """Records every POST; answers as told: 500 for the first `fail`
    requests, holds one request until released when `hold` is set, 200
    otherwise."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []  # (key, body) in arrival order
        self.fail = 0
        self.hold = False
        self.held = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.posts.append(
                        (self.headers.get("Idempotency-Key"), body))
                    status = 200
                    if receiver.fail > 0:
                        receiver.fail -= 1
                        status = 500
                    hold = receiver.hold
                    receiver.hold = False
                if hold:
                    receiver.held.set()
                    receiver.release.wait(30)
                try:
                    self.send_response(status)
                    self.end_headers()
                except OSError:
                    pass  # The coordinator is gone; nobody reads this.

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = (f"http://127.0.0.1:{self.server.server_port}/"
                    f"{URL_SECRET}?token={QUERY_SECRET}")
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def keys(self):
        with self.lock:
            return [key for key, _ in self.posts]

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def fail_a_run(cluster):
    """run-now, then cancel: an ended run that did not succeed."""
    r = cluster.cli("schedule", "run-now", "hooked")
    if r.returncode != 0:
        raise RuntimeError(f"run-now: {r.stderr}")
    experiment = r.stdout.strip().splitlines()[-1]
    r = cluster.cli("cancel", experiment)
    if r.returncode != 0:
        raise RuntimeError(f"cancel: {r.stderr}")
    return experiment


def check_retried(cluster, receiver, checks):
    receiver.fail = 1
    experiment = fail_a_run(cluster)
    cluster.wait_for(lambda: len(receiver.keys()) >= 2, 20,
                     "the POST and its retry")
    time.sleep(SETTLE_S)
    keys = receiver.keys()
    checks.expect(len(keys) == 2 and keys[0] == keys[1] and keys[0],
                  "retried: one retry after the 500, with the same "
                  "Idempotency-Key, and nothing after the 200", repr(keys))
    body = json.loads(receiver.posts[-1][1])
    checks.expect(body.get("event") == "failed_run" and
                  body.get("experiment") == experiment and
                  body.get("schedule") == "schedules/hooked" and
                  experiment in body.get("text", "") and
                  body.get("event_id") == keys[0],
                  "retried: the payload names the event, schedule and "
                  "experiment, with a text line", json.dumps(body))
    return keys[0]


def check_killed(cluster, receiver, first_key, checks):
    receiver.hold = True
    fail_a_run(cluster)
    if not receiver.held.wait(20):
        raise RuntimeError("the second event's POST never came")
    code = cluster.kill("coordinator")
    sent = receiver.keys()
    receiver.release.set()
    # Two POSTs of the first event, then this one's, held: nothing answered
    # it before the kill.
    checks.expect(code == -signal.SIGKILL and len(sent) == 3 and
                  sent[2] != first_key,
                  "killed the coordinator (SIGKILL) while its POST of the "
                  "second event was held unanswered",
                  f"exit {code}; keys on the wire {sent!r}")
    cluster.start_coordinator()
    cluster.wait_for(lambda: len(receiver.keys()) >= 4, 20,
                     "the POST again after the restart")
    time.sleep(SETTLE_S)
    keys = receiver.keys()[2:]
    checks.expect(len(keys) == 2 and keys[0] == keys[1] and
                  keys[0] != first_key,
                  "killed: sent again after the restart with the same "
                  "Idempotency-Key, then never again", repr(keys))
    events = set(receiver.keys())
    print(f"      {len(receiver.keys())} POSTs on the wire, {len(events)} "
          "notifications by Idempotency-Key, for 2 events", flush=True)
    checks.expect(len(events) == 2,
                  "exactly one notification per event by Idempotency-Key",
                  repr(receiver.keys()))


def run(bin_dir, checks):
    tmp = make_tmp("sb-webhook-")
    cluster = Cluster(bin_dir, tmp)
    receiver = Receiver()
    try:
        spec = os.path.join(tmp, "spec.yaml")
        with open(spec, "w") as f:
            f.write(SPEC)
        cluster.start_coordinator()
        r = cluster.cli("schedule", "add", "hooked", "--spec", spec,
                        "--cron", "0 0 1 1 *", "--webhook", receiver.url)
        checks.expect(r.returncode == 0, "add: a schedule with a webhook",
                      r.stderr)
        first_key = check_retried(cluster, receiver, checks)
        check_killed(cluster, receiver, first_key, checks)
    finally:
        receiver.stop()
        cluster.stop_all()
        with open(os.path.join(tmp, "coordinator.log"),
                  errors="replace") as f:
            log = f.read()
        leaked = [line for line in log.splitlines()
                  if any(secret in line for secret in
                         (URL_SECRET, QUERY_SECRET, HEADER_SECRET))]
        checks.expect("127.0.0.1" in log and not leaked,
                      "no log line holds the webhook URL's path or query, "
                      "or a header's value", "\n".join(leaked))
        stop_and_check_nothing_left(cluster, tmp, checks, "webhook")


if __name__ == "__main__":
    sys.exit(run_main(__doc__, run, "the test ran to the end"))
