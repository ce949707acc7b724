#!/usr/bin/env bash
# How close to a planned instant scalebench-loadgen opens its measurement
# window: RUNS runs, each told to start 200 ms ahead (--start-at), against a
# private nginx on loopback; prints the start skew of each run's window
# (actual start minus the planned instant), their median and maximum, and
# how many were under 1 ms. Then one run told to start 200 ms in the past,
# which must fail (exit 1) and report a skew of about 200 ms.
#
# No peer tool starts at a planned instant (wrk and ab start when run), so
# there is nothing to alternate with: this measures ours alone. Run it on
# an otherwise idle machine; other load shows up as skew.
#
# Usage: bench/start_skew.sh [RUNS=20]
# Needs: build/bin/scalebench-loadgen (make), nginx (deploy/install-deps.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
loadgen="$top/build/bin/scalebench-loadgen"
dir=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
trap '"$top/deploy/private-nginx.sh" stop "$dir"; rm -rf "$dir"' EXIT
"$top/deploy/private-nginx.sh" start "$dir" "$port" 612 >/dev/null
url="http://127.0.0.1:$port/"

skew_us() { python3 -c 'import json,sys; print(json.load(sys.stdin)["start_skew_us"])'; }
at() { python3 -c "import time; print(f'{time.time() + $1:.6f}')"; }

for _ in $(seq "$runs"); do
  "$loadgen" -c 2 -t 1 -d 300ms -o json --start-at "$(at 0.2)" "$url" \
      | skew_us >> "$dir/ahead"
done
echo "start 200 ms ahead, $runs runs: start skew in microseconds"
sort -g "$dir/ahead" | awk '
  { v[NR] = $1; if ($1 < 1000 && $1 > -1000) under++ }
  END {
    printf "  median %.1f  max %.1f  under 1 ms: %d of %d\n",
           (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2),
           v[NR], under, NR
  }'

set +e
"$loadgen" -c 2 -t 1 -d 300ms -o json --start-at "$(at -0.2)" "$url" \
    > "$dir/late"
code=$?
set -e
echo "start 200 ms in the past: exit $code, skew $(skew_us < "$dir/late") us"
python3 -c 'import json,sys; print("  reason:", json.load(sys.stdin)["failure"]["reason"])' \
    < "$dir/late"
