# shellcheck shell=bash
# The testbed's CPU slices: a cgroup per host with a cpuset and a CPU
# quota, cgroup v2 or v1, and their removal; sourced by
# deploy/testbed/testbed (it uses that script's die, say, kCgroupName,
# kPeriodUs, kMaxHosts and kRtRuntimeUs).

cgroup_kind() {
  local c=/sys/fs/cgroup/cgroup.controllers
  if [[ -f $c ]] && grep -qw cpuset "$c" && grep -qw cpu "$c"; then
    echo v2
  elif [[ -d /sys/fs/cgroup/cpuset && -d /sys/fs/cgroup/cpu ]]; then
    echo v1
  else
    die "neither cgroup v2 with cpuset and cpu nor cgroup v1 cpuset and cpu are mounted under /sys/fs/cgroup"
  fi
}

# The CPUs this process may run on, one a line.
allowed_cpus() {
  local list part a b
  list=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status)
  IFS=, read -ra parts <<<"$list"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then
      a=${part%-*} b=${part#*-}
      seq "$a" "$b"
    else
      echo "$part"
    fi
  done
}

# Fills CPUS[k] (comma list) and QUOTA_US[k] for hosts 1..$1: equal
# slices. When the hosts divide the CPUs evenly, each host gets CPUs of its
# own and all of their time; otherwise every host may run on every CPU and
# gets an equal share of their time (3 hosts on 2 CPUs: 2/3 of a CPU each).
plan_cpus() {
  local n=$1 k i
  local -a all
  mapfile -t all < <(allowed_cpus)
  local ncpu=${#all[@]}
  declare -gA CPUS=() QUOTA_US=()
  if ((n <= ncpu && ncpu % n == 0)); then
    local per=$((ncpu / n))
    for ((k = 1; k <= n; k++)); do
      CPUS[$k]=$(IFS=,; echo "${all[*]:$(((k - 1) * per)):$per}")
      QUOTA_US[$k]=$((per * kPeriodUs))
    done
  else
    for ((k = 1; k <= n; k++)); do
      CPUS[$k]=$(IFS=,; echo "${all[*]}")
      QUOTA_US[$k]=$((ncpu * kPeriodUs / n))
    done
  fi
}

# The cgroup directories of host $2 (kind $1): where limits are set.
host_cgroup_dirs() {
  if [[ $1 == v2 ]]; then
    echo "/sys/fs/cgroup/$kCgroupName/h$2"
  else
    echo "/sys/fs/cgroup/cpuset/$kCgroupName/h$2 /sys/fs/cgroup/cpu/$kCgroupName/h$2"
  fi
}

# The cgroup.procs files the worker (and dockerd) of host $2 go into.
host_procs_files() {
  local d out=""
  for d in $(host_cgroup_dirs "$1" "$2"); do out+="$d/w/cgroup.procs "; done
  echo "$out"
}

write() { printf '%s\n' "$2" >"$1"; }

# ensure_cgroup KIND K CPUS QUOTA_US
ensure_cgroup() {
  local kind=$1 k=$2 cpus=$3 quota=$4
  if [[ $kind == v2 ]]; then
    local top=/sys/fs/cgroup/$kCgroupName h=/sys/fs/cgroup/$kCgroupName/h$k
    grep -qw cpuset /sys/fs/cgroup/cgroup.subtree_control &&
      grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
      write /sys/fs/cgroup/cgroup.subtree_control "+cpuset +cpu"
    mkdir -p "$top"
    write "$top/cgroup.subtree_control" "+cpuset +cpu"
    mkdir -p "$h"
    write "$h/cpuset.cpus" "$cpus"
    write "$h/cpu.max" "$quota $kPeriodUs"
    write "$h/cgroup.subtree_control" "+cpuset +cpu"
    mkdir -p "$h/w"
  else
    local cs=/sys/fs/cgroup/cpuset mems d
    mems=$(cat "$cs/cpuset.mems")
    for d in "$cs/$kCgroupName" "$cs/$kCgroupName/h$k" "$cs/$kCgroupName/h$k/w"; do
      mkdir -p "$d"
    done
    write "$cs/$kCgroupName/cpuset.cpus" "$(cat "$cs/cpuset.cpus")"
    write "$cs/$kCgroupName/cpuset.mems" "$mems"
    for d in "$cs/$kCgroupName/h$k" "$cs/$kCgroupName/h$k/w"; do
      write "$d/cpuset.cpus" "$cpus"
      write "$d/cpuset.mems" "$mems"
    done
    local h=/sys/fs/cgroup/cpu/$kCgroupName/h$k
    mkdir -p "$h/w"
    write "$h/cpu.cfs_period_us" "$kPeriodUs"
    write "$h/cpu.cfs_quota_us" "$quota"
    # A little real-time time (parents first), when the kernel schedules
    # real-time threads by group: the load generator wakes at T0 as a
    # real-time thread, and a group with none may not.
    if [[ -f "$h/cpu.rt_runtime_us" ]]; then
      write "/sys/fs/cgroup/cpu/$kCgroupName/cpu.rt_runtime_us" \
        "$((kMaxHosts * kRtRuntimeUs))"
      write "$h/cpu.rt_runtime_us" "$kRtRuntimeUs"
      write "$h/w/cpu.rt_runtime_us" "$kRtRuntimeUs"
    fi
  fi
}

# Kills (SIGKILL, by pid) whatever is still in the testbed's cgroups: only
# processes the testbed started can be there. Then removes the cgroups.
remove_cgroups() {
  local root d pid
  for root in /sys/fs/cgroup/$kCgroupName /sys/fs/cgroup/*/$kCgroupName; do
    [[ -d "$root" ]] || continue
    for d in $(find "$root" -type d); do
      [[ -f "$d/cgroup.procs" ]] || continue
      while read -r pid; do
        [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
      done <"$d/cgroup.procs"
    done
  done
  for root in /sys/fs/cgroup/$kCgroupName /sys/fs/cgroup/*/$kCgroupName; do
    [[ -d "$root" ]] || continue
    local i
    for ((i = 0; i < 50; i++)); do
      find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [[ -d "$root" ]] || break
      sleep 0.1
    done
    [[ -d "$root" ]] && say "could not remove cgroup $root (still busy)"
  done
  return 0
}
