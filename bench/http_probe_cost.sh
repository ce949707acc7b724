#!/usr/bin/env bash
# What one readiness probe costs: the worker's raw-socket probe
# (worker/http_probe.h) against the same GET through the shared libcurl
# client (common/http_client.h), alternating in rounds against one local
# server. Prints microseconds per probe for each and the ratio; the
# comment in worker/http_probe.h quotes a run of it.
#
# Usage: bench/http_probe_cost.sh [PROBES=2000]
# Needs: build/bin/tests/http_probe_bench (cmake --build build --target
# http_probe_bench).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/build/bin/tests/http_probe_bench" "${1:-2000}"
