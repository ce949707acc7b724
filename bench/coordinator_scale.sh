#!/usr/bin/env bash
# The coordinator against many workers: for each N (default 10 100 1000),
# build/bin/tests/coordinator_scale runs the real scalebench-coordinator in a
# child process and N simulated workers (own id, session and skewed clock
# each) in its own, idle-polling for IDLE seconds and then running a sweep
# of 3N one-second trials; it reads the coordinator's CPU (utime + stime)
# and memory from /proc/PID and the workers' Synchronize latencies, and
# checks that every trial succeeded exactly once and the timing targets:
# the coordinator under 0.2 cores while the workers poll, Synchronize
# answered with p99 under 50 ms while idle and during the sweep (ctest's
# coordinator_scale_1000 checks the counts only). Prints one table row per
# N; the last column says FAILED, and the script exits 1, when a count or
# a target was missed.
#
# Usage: bench/coordinator_scale.sh [IDLE_SECONDS=20] [N...]
# Needs: make (or cmake --build build --target coordinator_scale).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
idle=${1:-20}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000)
bin="$top/build/bin"
failed=0

echo "| workers | idle CPU (cores) | idle RSS (MB) | sweep CPU (cores) | sweep RSS / peak (MB) | sweep (s, trials) | results p50 / p99 (ms) | idle hold overrun p50 / p99 (ms) | counts and targets |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  if ! out=$("$bin/tests/coordinator_scale" --coordinator-bin \
      "$bin/scalebench-coordinator" --workers "$n" --idle-seconds "$idle" \
      --max-idle-cores 0.2 --max-p99-ms 50 --max-sweep-p99-ms 50); then
    counts=FAILED
    failed=1
  else
    counts=met
  fi
  python3 - "$out" "$counts" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
mb = lambda kb: f"{kb / 1024:.0f}"
print(f"| {r['workers']} | {r['idle_cores']:.3f} | {mb(r['idle_rss_kb'])} | "
      f"{r['sweep_cores']:.2f} | {mb(r['sweep_rss_kb'])} / {mb(r['hwm_kb'])} | "
      f"{r['sweep_seconds']:.0f} s, {r['trials']} | "
      f"{r['answered_p50_ms']:.0f} / {r['answered_p99_ms']:.0f} | "
      f"{r['idle_hold_overrun_p50_ms']:.1f} / {r['idle_hold_overrun_p99_ms']:.1f} | "
      f"{sys.argv[2]} ({r['succeeded']}/{r['trials']} succeeded, {r['attempts']} attempts, {r['exported']} exported) |")
PY
done
exit "$failed"
