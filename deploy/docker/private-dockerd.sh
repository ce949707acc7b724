#!/usr/bin/env bash
# A private Docker engine for tests and single-machine runs: Debian's
# dockerd with its own data root, exec root, pid file, config and unix
# socket, all under one directory. It touches no other host state: no
# bridge, no iptables rules, no IP forwarding, no /etc/docker, no
# /var/lib/docker, no /var/run/docker.sock. (The one exception: dockerd
# creates the empty plugin-discovery dir /run/docker/plugins, a path built
# into it; it is left in place.) dockerd starts its own containerd under
# the exec root; containers' cgroups live under a parent named after the
# directory and are removed on stop. Containers meant to be reached use
# host networking.
#
#   deploy/docker/private-dockerd.sh start DIR
#       starts dockerd (unless DIR's one already runs), waits until its
#       socket answers GET /_ping, prints DOCKER_HOST=unix://DIR/docker.sock
#   deploy/docker/private-dockerd.sh stop DIR
#       stops that dockerd and its containerd (by their pids), removes
#       every container's mounts under DIR; idempotent
#   deploy/docker/private-dockerd.sh status DIR
#       prints DOCKER_HOST=... and exits 0 when it runs; exits 1 otherwise
#
# Needs root. Socket paths are limited to 107 bytes: keep DIR short.
set -euo pipefail

DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
START_TIMEOUT_S=${START_TIMEOUT_S:-60}

die() { echo "private-dockerd: $*" >&2; exit 1; }

# Paths derived from DIR (made absolute).
layout() {
  DIR=$(realpath -m "$1")
  SOCK=$DIR/docker.sock
  PIDFILE=$DIR/dockerd.pid
  LOG=$DIR/dockerd.log
  CONFIG=$DIR/daemon.json
  KEY=$DIR/key.json
  DATA=$DIR/data
  EXEC=$DIR/exec
  # Containers' cgroups: /sys/fs/cgroup/<controller>/$CGROUP_PARENT/<id>.
  # PRIVATE_DOCKERD_CGROUP_PARENT puts them elsewhere (deploy/testbed/testbed:
  # under a testbed host's CPU slice).
  CGROUP_PARENT=${PRIVATE_DOCKERD_CGROUP_PARENT:-scalebench-docker-$(printf '%s' "$DIR" | sha256sum | cut -c1-12)}
  CONTAINERD_PIDFILE=$EXEC/containerd/containerd.pid
}

# The pid in $1 if that process runs the program $2; nothing otherwise.
live_pid() {
  local file=$1 prog=$2 pid
  [[ -f "$file" ]] || return 1
  pid=$(cat "$file" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -e "/proc/$pid/exe" ]] || return 1
  [[ "$(readlink "/proc/$pid/exe")" == *"/$prog"* ]] || return 1
  echo "$pid"
}

ping_ok() {
  [[ -S "$SOCK" ]] &&
    [[ "$(curl -sf --max-time 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null)" == OK ]]
}

start() {
  [[ $(id -u) -eq 0 ]] || die "needs root"
  layout "$1"
  (( ${#SOCK} <= 107 )) || die "socket path too long (${#SOCK} > 107): $SOCK"
  if live_pid "$PIDFILE" dockerd >/dev/null && ping_ok; then
    echo "DOCKER_HOST=unix://$SOCK"
    return 0
  fi
  # A dockerd of DIR that runs but does not answer: restart it.
  stop_daemon
  mkdir -p "$DIR" "$DATA" "$EXEC"
  chmod 711 "$DIR"
  # An explicit config file, so /etc/docker/daemon.json is not read; the
  # daemon's trust key goes under DIR, not to /etc/docker/key.json.
  printf '{"deprecated-key-path": "%s"}\n' "$KEY" > "$CONFIG"
  rm -f "$SOCK"
  # setsid: the daemon outlives this script and the caller's terminal.
  setsid "$DOCKERD" \
    --host "unix://$SOCK" \
    --data-root "$DATA" \
    --exec-root "$EXEC" \
    --pidfile "$PIDFILE" \
    --config-file "$CONFIG" \
    --group root \
    --bridge=none --iptables=false --ip6tables=false \
    --ip-forward=false --ip-masq=false --userland-proxy=false \
    --exec-opt native.cgroupdriver=cgroupfs \
    --cgroup-parent "$CGROUP_PARENT" \
    --storage-driver overlay2 \
    </dev/null >>"$LOG" 2>&1 &
  local pid=$! i
  for ((i = 0; i < START_TIMEOUT_S * 10; i++)); do
    if ping_ok; then
      echo "DOCKER_HOST=unix://$SOCK"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "private-dockerd: dockerd exited; the end of $LOG:" >&2
      tail -n 30 "$LOG" >&2 || true
      unmount_all
      return 1
    fi
    sleep 0.1
  done
  echo "private-dockerd: dockerd did not answer on $SOCK in ${START_TIMEOUT_S}s; the end of $LOG:" >&2
  tail -n 30 "$LOG" >&2 || true
  stop_daemon
  return 1
}

# Sends SIGTERM to pid $1, SIGKILL after $2 tenths of a second; waits.
kill_and_wait() {
  local pid=$1 tenths=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < tenths; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

# Unmounts everything mounted under DIR, deepest first.
unmount_all() {
  local target
  [[ -d "$DIR" ]] || return 0
  findmnt -rn -o TARGET | awk -v d="$DIR/" 'index($0, d) == 1' | sort -r |
    while read -r target; do
      # findmnt escapes spaces and the like as \x20.
      umount -l "$(printf '%b' "$target")" 2>/dev/null || true
    done
}

# Removes the (then empty) cgroups dockerd made for containers.
remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$CGROUP_PARENT" /sys/fs/cgroup/"$CGROUP_PARENT"; do
    [[ -d "$d" ]] || continue
    find "$d" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
    rmdir "$d" 2>/dev/null || true
  done
}

stop_daemon() {
  local pid cpid
  # dockerd stops its containers (10 s grace each) and its containerd on
  # SIGTERM; the shims of containers still running are killed below.
  cpid=$(live_pid "$CONTAINERD_PIDFILE" containerd || true)
  if pid=$(live_pid "$PIDFILE" dockerd); then
    kill_and_wait "$pid" 300
  fi
  if [[ -n "$cpid" ]] && live_pid "$CONTAINERD_PIDFILE" containerd >/dev/null; then
    kill_and_wait "$cpid" 50
  fi
  # Shims whose containerd was ours: they record its socket dir (under
  # the exec root) on their command line.
  local shim
  for shim in /proc/[0-9]*; do
    [[ "$(readlink "$shim/exe" 2>/dev/null)" == *containerd-shim* ]] || continue
    # grep without -q reads all of it: tr cannot die of SIGPIPE (pipefail).
    if tr '\0' ' ' <"$shim/cmdline" 2>/dev/null | grep -F -- "$EXEC/" >/dev/null; then
      kill -KILL "${shim#/proc/}" 2>/dev/null || true
    fi
  done
  rm -f "$PIDFILE" "$SOCK"
  unmount_all
  remove_cgroups
}

stop() {
  layout "$1"
  [[ -d "$DIR" ]] || return 0
  stop_daemon
}

status() {
  layout "$1"
  if live_pid "$PIDFILE" dockerd >/dev/null && ping_ok; then
    echo "DOCKER_HOST=unix://$SOCK"
    return 0
  fi
  echo "private-dockerd: not running in $DIR" >&2
  return 1
}

case "${1:-}" in
  start | stop | status)
    [[ $# -eq 2 ]] || die "usage: $0 start|stop|status DIR"
    "$1" "$2"
    ;;
  *) die "usage: $0 start|stop|status DIR" ;;
esac
