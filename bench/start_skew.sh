#!/usr/bin/env bash
# How close to a planned instant scalebench-loadgen opens its measurement
# window: RUNS runs, each told to start 200 ms ahead (--start-at), against a
# private nginx on loopback; prints the start skew of each run's window
# (actual start minus the planned instant), their median and maximum, and
# how many were under 1 ms. Then one run told to start 200 ms in the past,
# which must fail (exit 1) and report a skew of about 200 ms.
#
# With --testbed (root): the same across hosts, where the planned instant
# is a coordinator-clock T0 each worker converts to its own clock. Brings
# up `deploy/testbed/testbed up 3`, runs examples/cross-host-own-balancer.yaml
# (no warm-up, so the skew is measured, not 0 by construction) REPEATS
# times, prints each trial's start skew (the largest load generator's, with
# its sign), their p50, p99 and maximum, and exits 1 unless p99 is under
# 1 ms (the target tests/testbed/cross_host_test.py asserted before it moved
# here: a timing target is a benchmark's, not a ctest's). Runs `testbed
# down` at the end, whatever happens.
#
# With --testbed --offsets (root, tcpdump, cc): the load
# generators' true starts under real clock offsets, read off the wire.
# `testbed up 3 --clock-offsets` puts the workers' wall clocks hundreds of
# ms ahead of and behind the coordinator's (deploy/testbed/clock.sh), a
# capture on the testbed's bridge runs while tests/testbed/clock_offset.yaml
# runs REPEATS times (20 two-host trials each, the balancer on its own
# host, no warm-up), and tests/support/wire.py prints, per trial, how far
# apart the two load generators' first SYNs to the balancer were on the
# wire (one clock: the kernel's), and how many were within 1 ms; exits 1
# unless at least 95% were (issue 20: 19 of 20). The testbed's three hosts
# share the machine's cores (2 here): that is the load the figure is for.
#
# No peer tool starts at a planned instant (wrk and ab start when run), so
# there is nothing to alternate with: this measures ours alone. Run it on
# an otherwise idle machine; other load shows up as skew.
#
# Usage: bench/start_skew.sh [RUNS=20]
#        bench/start_skew.sh --testbed [REPEATS=1]
#        bench/start_skew.sh --testbed --offsets [REPEATS=1]
# Needs: build/bin/scalebench-loadgen (make), nginx (deploy/install-deps.sh);
# with --testbed, root and every binary in build/bin; with --offsets also
# tcpdump (deploy/install-deps.sh) and cc.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=free_port.sh
. "$top/bench/free_port.sh"
readonly kSkewLimitUs=1000
readonly kOffsets=h1=+150ms,h2=+300ms,h3=-400ms # as the clock-offset test
readonly kWithinShare=0.95                      # 19 of 20 trials

# p99_line LIMIT_US: reads one skew in microseconds a line; prints their
# p50, p99 (nearest rank) and maximum in magnitude; exits 1 unless p99 is
# under LIMIT_US.
p99_line() {
  python3 -c '
import math, sys
limit = float(sys.argv[1])
skews = sorted(abs(float(v)) for v in sys.stdin.read().split())
if not skews:
    sys.exit("no start skews")
rank = lambda q: skews[max(math.ceil(q * len(skews)), 1) - 1]
p99 = rank(0.99)
verdict = "under" if p99 < limit else "NOT under"
print(f"  {len(skews)} trials: p50 {rank(0.5):.0f} us, p99 {p99:.0f} us, "
      f"max {skews[-1]:.0f} us: p99 {verdict} {limit:.0f} us")
sys.exit(0 if p99 < limit else 1)' "$1"
}

testbed_skew() {
  local repeats=${1:-1} testbed="$top/deploy/testbed/testbed" bin="$top/build/bin"
  local tmp name i
  tmp=$(mktemp -d)
  # Expanded now: the trap runs after this function's locals are gone.
  # shellcheck disable=SC2064
  trap "\"$testbed\" down >/dev/null 2>&1; rm -rf \"$tmp\"" EXIT
  SCALEBENCH_BIN="$bin" "$testbed" up 3 > "$tmp/env"
  set -a
  # shellcheck source=/dev/null  # the four SCALEBENCH_ lines `up` prints
  . "$tmp/env"
  set +a
  for ((i = 1; i <= repeats; i++)); do
    name=$("$bin/scalebench" submit "$top/examples/cross-host-own-balancer.yaml" | awk 'END {print}')
    "$bin/scalebench" watch "$name" > /dev/null
    "$bin/scalebench" results "$name" --output json |
      python3 -c 'import json, sys
for item in json.load(sys.stdin): print(item["start_skew_us"])' >> "$tmp/skews"
  done
  echo "testbed up 3, examples/cross-host-own-balancer.yaml x $repeats: start skew in microseconds"
  p99_line "$kSkewLimitUs" < "$tmp/skews"
}

# The starts on the wire under clock offsets (see the top).
testbed_offsets() {
  local repeats=${1:-1} testbed="$top/deploy/testbed/testbed" bin="$top/build/bin"
  local tmp name i
  local wire="$top/tests/support/wire.py"
  tmp=$(mktemp -d)
  capture="" # global: the EXIT trap stops it by pid
  # shellcheck disable=SC2064  # expanded now, as in testbed_skew
  trap "[[ -z \$capture ]] || kill \$capture 2>/dev/null; \"$testbed\" down >/dev/null 2>&1; rm -rf \"$tmp\"" EXIT
  SCALEBENCH_BIN="$bin" "$testbed" up 3 --clock-offsets "$kOffsets" > "$tmp/env"
  set -a
  # shellcheck source=/dev/null  # the four SCALEBENCH_ lines `up` prints
  . "$tmp/env"
  set +a
  echo "testbed up 3 --clock-offsets $kOffsets (3 hosts on $(nproc) shared cores)"
  for ((i = 1; i <= repeats; i++)); do
    python3 "$wire" capture "$tmp/$i.pcap" > "$tmp/$i.capture" &
    capture=$!
    until grep -q capturing "$tmp/$i.capture" 2>/dev/null; do
      kill -0 "$capture" 2>/dev/null || { cat "$tmp/$i.capture" >&2; exit 1; }
      sleep 0.1
    done
    name=$("$bin/scalebench" submit "$top/tests/testbed/clock_offset.yaml" | awk 'END {print}')
    "$bin/scalebench" watch "$name" > /dev/null
    kill "$capture"
    wait "$capture"
    capture=""
    "$bin/scalebench" results "$name" --output json > "$tmp/$i.results"
    "$bin/scalebench" status "$name" --output json > "$tmp/$i.status"
  done
  echo "tests/testbed/clock_offset.yaml x $repeats: the two load generators' first SYNs on the bridge"
  local code=0
  for ((i = 1; i <= repeats; i++)); do
    python3 "$wire" spread "$tmp/$i.pcap" "$tmp/$i.results" "$tmp/$i.status" \
      --limit-us "$kSkewLimitUs" --at-least "$kWithinShare" || code=1
  done
  return "$code"
}

if [[ "${1:-}" == "--testbed" && "${2:-}" == "--offsets" ]]; then
  testbed_offsets "${3:-1}"
  exit
fi
if [[ "${1:-}" == "--testbed" ]]; then
  testbed_skew "${2:-1}"
  exit
fi

runs=${1:-20}
loadgen="$top/build/bin/scalebench-loadgen"
dir=$(mktemp -d)
port=$(free_port)
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
