#!/usr/bin/env bash
# Compares scalebench-loadgen with wrk and ab against the same private nginx
# (one worker process, a 612-byte page, on loopback), alternating the tools
# round by round so drift of the machine hits all of them alike. Prints
# each tool's median requests/s and CPU seconds per 100k requests (user +
# system of the whole process, measured the same way for every tool), and
# our ratios to each peer.
#
# Scenarios:
#   keepalive  100 connections, one thread, keep-alive, DURATION each run
#   ab         ab's own setting: -n 10000 -c 1000, a new connection per
#              request; scalebench-loadgen with its default thread count
#              (one per core), ab with its one thread (wrk cannot send a
#              fixed count; it runs DURATION_B with "Connection: close"
#              and one thread per core, for reference)
#
# Usage: bench/loadgen_vs_peers.sh [ROUNDS=5] [DURATION=5]
# Needs: build/bin/scalebench-loadgen (make), wrk, ab (deploy/install-deps.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
duration=${2:-5}
duration_b=2
ours="$top/build/bin/scalebench-loadgen"
for tool in "$ours" wrk ab; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

dir=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
# One port for the keep-alive runs, and a fresh one for every run of the
# connection-per-request scenario, so no run meets the TIME_WAIT sockets of
# an earlier one on the same address pair.
last_port=$(( port + 3 * rounds ))
trap '"$top/deploy/private-nginx.sh" stop "$dir"; rm -rf "$dir"' EXIT
"$top/deploy/private-nginx.sh" start "$dir" "$port-$last_port" 612 >/dev/null
url="http://127.0.0.1:$port/"
next_port=$port
# The nginx worker (the master's only child), to measure how busy the
# server was: a server near 100% busy is the bottleneck, whatever the tool.
master=$(cat "$dir/nginx.pid")
for stat in /proc/[0-9]*/stat; do
  read -r pid _ _ ppid _ < "$stat" 2>/dev/null || continue
  [[ "$ppid" == "$master" ]] && worker=$pid
done
server_ticks() { awk '{print $14 + $15}' "/proc/$worker/stat"; }
hz=$(getconf CLK_TCK)
fresh_url() { next_port=$(( next_port + 1 )); fresh="http://127.0.0.1:$next_port/"; }

# run NAME CMD...: runs CMD, appends "rps cpu_per_100k server_busy" to
# $dir/NAME.
run() {
  local name=$1; shift
  local out="$dir/out" times="$dir/times" rps requests t0 t1
  TIMEFORMAT='%U %S %R'
  t0=$(server_ticks)
  { time "$@" >"$out" 2>&1; } 2>"$times"
  t1=$(server_ticks)
  case "$name" in
    *wrk) rps=$(awk '/Requests\/sec:/ {print $2}' "$out")
          requests=$(awk '/requests in/ {print $1}' "$out") ;;
    *ab)  rps=$(awk '/Requests per second:/ {print $4}' "$out")
          requests=$(awk '/Complete requests:/ {print $3}' "$out") ;;
    *)    rps=$(sed -n 's/.*"requests_per_s": \([0-9.e+]*\).*/\1/p' "$out")
          requests=$(sed -n 's/^  "requests": \([0-9]*\).*/\1/p' "$out") ;;
  esac
  if [[ -z "$rps" || -z "$requests" || "$requests" == 0 ]]; then
    echo "run failed: $*" >&2; cat "$out" >&2; exit 1
  fi
  awk -v rps="$rps" -v n="$requests" -v server=$(( t1 - t0 )) -v hz="$hz" \
    '{printf "%s %.4f %.1f\n", rps, ($1+$2)*100000/n, 100*server/hz/$3}' \
    "$times" >> "$dir/$name"
}

median() {  # median of column $2 of file $1
  sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {
    if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'
}

for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds" >&2
  # Rotate the order each round.
  tools=(ours wrk ab)
  for ((k = 0; k < 3; k++)); do
    t=${tools[$(( (k + r) % 3 ))]}
    fresh_url
    case $t in
      ours) run ka_ours "$ours" -t 1 -c 100 -d "$duration" -o json "$url"
            run ab_ours "$ours" -c 1000 -n 10000 --no-keepalive -o json "$fresh" ;;
      wrk)  run ka_wrk wrk -t 1 -c 100 -d "${duration}s" "$url"
            run ab_wrk wrk -t "$(nproc)" -c 1000 -d "${duration_b}s" -H "Connection: close" "$fresh" ;;
      ab)   run ka_ab ab -k -c 100 -t "$duration" -n 100000000 "$url"
            run ab_ab ab -c 1000 -n 10000 "$fresh" ;;
    esac
  done
done

echo
echo "nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'), 1 worker, 612-byte page; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "medians of $rounds alternating rounds"
for scen in ka ab; do
  if [[ $scen == ka ]]; then
    echo; echo "keep-alive, 100 connections, 1 thread, ${duration}s"
  else
    echo; echo "new connection per request, -n 10000 -c 1000 (ours: $(nproc) threads; wrk: $(nproc) threads, ${duration_b}s with Connection: close)"
  fi
  printf '  %-10s %12s %18s %14s\n' tool "requests/s" "CPU s/100k req" "nginx busy %"
  for t in ours wrk ab; do
    printf '  %-10s %12.0f %18.3f %14.0f\n' "$t" "$(median "$dir/${scen}_$t" 1)" \
      "$(median "$dir/${scen}_$t" 2)" "$(median "$dir/${scen}_$t" 3)"
  done
  ours_rps=$(median "$dir/${scen}_ours" 1); ours_cpu=$(median "$dir/${scen}_ours" 2)
  for t in wrk ab; do
    awk -v a="$ours_rps" -v b="$(median "$dir/${scen}_$t" 1)" \
        -v c="$ours_cpu" -v d="$(median "$dir/${scen}_$t" 2)" -v t="$t" \
      'BEGIN {printf "  ours / %-4s requests/s x%.3f, CPU per request x%.3f\n", t, a/b, c/d}'
  done
done
