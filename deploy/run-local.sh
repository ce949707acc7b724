#!/usr/bin/env bash
# `make run`: the project's main job on the embedded default, as it stands.
# Until the coordinator lands, that is the load generator against a private
# nginx on loopback that this script starts and stops: a closed-loop run
# with keep-alive, then an open-loop run at a fixed rate.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
loadgen="$top/build/bin/scalebench-loadgen"
dir=$(mktemp -d /tmp/scalebench-run.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
cleanup() { "$top/deploy/private-nginx.sh" stop "$dir"; rm -rf "$dir"; }
trap cleanup EXIT

"$top/deploy/private-nginx.sh" start "$dir" "$port" 612 >/dev/null
url="http://127.0.0.1:$port/"
echo "nginx (1 worker, 612-byte page) at $url"
echo
echo "== closed loop: 50 connections, keep-alive, 1s warm-up, 5s =="
"$loadgen" -c 50 --warmup 1s -d 5s "$url"
echo
echo "== open loop: 5000 requests/s over 50 connections, 5s =="
"$loadgen" -c 50 --rate 5000 -d 5s "$url"
