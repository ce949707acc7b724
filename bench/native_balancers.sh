#!/usr/bin/env bash
# Throughput of native nginx targets alone and behind each balancer, and
# the time from Start() to the first answer, through the worker's own
# drivers: 1 target on core 0; then haproxy and nginx (roundrobin, pinned
# to cores 0-1) in front of 2 targets on cores 0 and 1. Each load run is
# `scalebench-loadgen -c CONNECTIONS -d DURATION` on loopback.
#
# The load generator shares the 2 cores with the servers, so the figures
# compare configurations on this machine; they are not absolute capacity.
#
# Usage: bench/native_balancers.sh [CONNECTIONS=50] [DURATION=5s]
# Needs: make (build/bin/scalebench-loadgen, build/bin/tests/worker_native_bench),
#        nginx and haproxy (deploy/install-deps.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
connections=${1:-50}
duration=${2:-5s}
bench="$top/build/bin/tests/worker_native_bench"
loadgen="$top/build/bin/scalebench-loadgen"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for mode in target haproxy nginx; do
  echo "== $mode"
  timeout 120 "$bench" "$mode" "$dir" -- \
    timeout 60 "$loadgen" -c "$connections" -d "$duration" '{url}'
done
