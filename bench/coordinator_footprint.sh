#!/usr/bin/env bash
# What the coordinator costs while workers synchronize: a coordinator and
# WORKERS idle workers on loopback (each long-polls, 5 s holds), then, for
# SECONDS seconds, the coordinator's CPU time (user + system, from
# /proc/PID/stat) and its resident memory (VmRSS, VmHWM). Then the same
# while a small sweep runs on those workers (trials, state changes, result
# commits), to show the cost of scheduling.
#
# There is no peer coordinator to alternate with: this measures ours alone.
#
# Usage: bench/coordinator_footprint.sh [WORKERS=2] [SECONDS=60]
# Needs: build/bin/scalebench-coordinator, scalebench-worker, scalebench
# (make), nginx (deploy/install-deps.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
workers=${1:-2}
seconds=${2:-60}
bin="$top/build/bin"
dir=$(mktemp -d /tmp/sb-footprint.XXXXXX)
chmod 755 "$dir"  # nginx workers (user nobody) read under it
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

# Port 0: the kernel picks a free port, and the coordinator prints the
# address it got ("listening on 127.0.0.1:PORT").
"$bin/scalebench-coordinator" --listen "127.0.0.1:0" --db "$dir/c.db" \
  > "$dir/coordinator.out" 2> "$dir/coordinator.log" &
coordinator=$!
pids+=("$coordinator")
address=""
for _ in $(seq 100); do
  address=$(awk '/listening on / {print $NF}' "$dir/coordinator.out" 2>/dev/null)
  [[ -n "$address" ]] && break
  sleep 0.1
done
[[ -n "$address" ]] || {
  echo "coordinator did not start; see its log:" >&2
  cat "$dir/coordinator.log" >&2
  exit 1
}
export SCALEBENCH_COORDINATOR="$address"
for i in $(seq "$workers"); do
  "$bin/scalebench-worker" --coordinator "$address" --name "w$i" \
    --state-dir "$dir/w$i" 2> "$dir/w$i.log" &
  pids+=("$!")
done
# Measure from the moment every worker is registered and idle (30 s at most).
for _ in $(seq 300); do
  idle=$("$bin/scalebench" workers 2>/dev/null | grep -c idle || true)
  ((idle >= workers)) && break
  sleep 0.1
done
((idle >= workers)) || { echo "only $idle of $workers workers idle after 30 s" >&2; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$coordinator/stat"; }
mem() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$coordinator/status"; }
hz=$(getconf CLK_TCK)
measure() {
  local label=$1 start end
  start=$(ticks)
  sleep "$seconds"
  end=$(ticks)
  python3 -c "
cpu = ($end - $start) / $hz
print(f'$label: {cpu:.2f} s CPU in $seconds s = {100 * cpu / $seconds:.3f}% of one core; '
      f'RSS $(mem VmRSS) kB (peak $(mem VmHWM) kB)')"
}

echo "coordinator pid $coordinator, $workers workers, ${seconds} s per window"
measure "idle, $workers workers synchronizing"

cat > "$dir/sweep.yaml" <<'YAML'
name: footprint
repetitions: 20
loadgen:
  connections: 4
  duration: 1s
sweep:
  instances: [1, 2]
timeouts:
  start_lead: 1s
YAML
"$bin/scalebench" submit "$dir/sweep.yaml" > /dev/null
measure "running a sweep on $workers workers"
experiment=$("$bin/scalebench" status | awk 'NR == 2 {print $1}')
"$bin/scalebench" status "$experiment" | awk 'NR == 1'
"$bin/scalebench" cancel "$experiment" > /dev/null || true
sleep 3
