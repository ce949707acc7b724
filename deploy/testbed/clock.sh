# shellcheck shell=bash
# Wall-clock offsets for the testbed's workers; sourced by
# deploy/testbed/testbed (it uses that script's die, say, usage, conf_get,
# live_pid, TOP, STATE, PKI and CONF).
#
# A host named in `up N --clock-offsets h1=+300ms,...` runs its worker (and
# so everything the worker starts: nginx, haproxy, the load generator)
# under deploy/testbed/wallclock_shim.c (LD_PRELOAD; `up` compiles it with
# cc into the state dir), whose wall clock, CLOCK_REALTIME only, is the
# machine's plus the offset; the monotonic clocks and every sleep are the
# kernel's. The offset is read from the file hK/clock (nanoseconds,
# "+300000000"), which the shim reads again at the first wall-clock read of
# every new second, so `testbed clock` changes a running worker's clock
# within a second. A clock_gettime costs a few nanoseconds more than
# without the shim; the read of each new second about 10 us. The
# coordinator's clock is never offset: it is the reference, and the clock
# the kernel stamps captures on the bridge with.
#
# Not libfaketime (Debian's faketime), although it offsets the wall clock
# as well: it converts absolute sleeps on CLOCK_MONOTONIC as if that clock
# were faked too, even with FAKETIME_DONT_FAKE_MONOTONIC=1, so
# clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME), the load generator's
# sleep until T0 and the worker's Clock::SleepUntil, returns at once (0.9.10).
#
# An offset is an integer with a unit, s, ms or us, and an optional sign
# (+300ms, -400ms, 1500us, -2s), at most kMaxOffsetUs either way: a worker
# whose clock is behind sees certificates made less than that long ago as
# not yet valid, so `up` waits until the testbed's certificates are older
# than the largest negative offset.

readonly kShimSource=$TOP/deploy/testbed/wallclock_shim.c
readonly kMaxOffsetUs=10000000 # 10 s

# offset_us TEXT: the offset in microseconds ("-400ms" -> -400000); fails
# (status 1) on anything that is not [+-]INTEGER(s|ms|us), and (status 2)
# on an offset beyond kMaxOffsetUs.
offset_us() {
  [[ $1 =~ ^([+-]?)([0-9]{1,9})(s|ms|us)$ ]] || return 1
  local sign=${BASH_REMATCH[1]} unit=${BASH_REMATCH[3]}
  local us=$((10#${BASH_REMATCH[2]}))
  case $unit in
    s) us=$((us * 1000000)) ;;
    ms) us=$((us * 1000)) ;;
  esac
  ((us <= kMaxOffsetUs)) || return 2
  [[ $sign == - ]] && us=$((-us))
  echo "$us"
}

# Why offset_us refuses TEXT.
offset_problem() {
  if [[ $1 =~ ^[+-]?[0-9]{1,9}(s|ms|us)$ ]]; then
    echo "more than $((kMaxOffsetUs / 1000000)) s either way"
  else
    echo "not an offset: an integer with a unit, s, ms or us, and an optional sign (+300ms, -400ms, 1500us)"
  fi
}

# format_offset US: "+300ms", "-1500us", "+0ms" (what offset_us reads).
format_offset() {
  local us=$1 sign=+
  ((us < 0)) && { sign=-; us=$((-us)); }
  if ((us % 1000 == 0)); then
    echo "$sign$((us / 1000))ms"
  else
    echo "$sign${us}us"
  fi
}

# parse_clock_offsets N SPEC: fills CLOCK_US[k] (microseconds) for every
# host SPEC names ("h1=+300ms,h2=-400ms"); exits 2 naming the host and
# value that is wrong.
parse_clock_offsets() {
  local n=$1 spec=$2 item host value us k
  declare -gA CLOCK_US=()
  local -a items
  IFS=, read -ra items <<<"$spec"
  ((${#items[@]})) || { say "--clock-offsets: empty (expected h1=+300ms,h2=-400ms,...)"; exit 2; }
  for item in "${items[@]}"; do
    host=${item%%=*}
    value=${item#*=}
    if [[ $item != *=* || ! $host =~ ^h([0-9]+)$ ]]; then
      say "--clock-offsets: '$item' is not HOST=OFFSET (e.g. h1=+300ms)"
      exit 2
    fi
    k=$((10#${BASH_REMATCH[1]}))
    if ((k < 1 || k > n)); then
      say "--clock-offsets: $host is not a host of this testbed (h1..h$n)"
      exit 2
    fi
    if [[ -n "${CLOCK_US[$k]:-}" ]]; then
      say "--clock-offsets: $host is given twice"
      exit 2
    fi
    if ! us=$(offset_us "$value"); then
      say "--clock-offsets: $host=$value: $(offset_problem "$value")"
      exit 2
    fi
    CLOCK_US[$k]=$us
  done
}

# The canonical form of CLOCK_US for hosts 1..$1, in host order, as
# testbed.conf keeps it: "h1=+300ms,h2=-400ms"; empty when none.
clock_offsets_conf() {
  local n=$1 k out=""
  for ((k = 1; k <= n; k++)); do
    [[ -n "${CLOCK_US[$k]:-}" ]] || continue
    out+="${out:+,}h$k=$(format_offset "${CLOCK_US[$k]}")"
  done
  echo "$out"
}

# The file the shim reads host $1's offset from.
clock_file() { echo "$STATE/h$1/clock"; }

# write_clock K US: host K's offset file, in nanoseconds, replaced at once
# (rename), so that the shim never reads it half written.
write_clock() {
  local file
  file=$(clock_file "$1")
  printf '%+d\n' $(($2 * 1000)) >"$file.tmp"
  mv "$file.tmp" "$file"
}

# read_clock K: host K's current offset in microseconds, from its file.
read_clock() {
  local file text
  file=$(clock_file "$1")
  [[ -f "$file" ]] || return 1
  text=$(<"$file")
  [[ $text =~ ^[+-][0-9]+$ ]] || return 1
  echo $((text / 1000))
}

# The shim, compiled by `up` into the state dir.
shim_path() { echo "$STATE/wallclock_shim.so"; }

# The environment (NAME=VALUE words for env) host K's worker runs with
# when its clock is offset; nothing otherwise.
clock_env() {
  [[ -n "${CLOCK_US[$1]:-}" ]] || return 0
  echo "LD_PRELOAD=$(shim_path) SBTB_CLOCK_FILE=$(clock_file "$1")"
}

# prepare_clocks N: for every host with an offset, its file (kept when it
# exists: a re-up changes no running clock, and a restarted worker keeps a
# stepped one); then waits until the certificates are older than the
# largest negative offset, so no worker sees them as not yet valid.
prepare_clocks() {
  local n=$1 k behind=0 newest now_ms wait_ms
  for ((k = 1; k <= n; k++)); do
    [[ -n "${CLOCK_US[$k]:-}" ]] || continue
    if [[ ! "$(shim_path)" -nt "$kShimSource" ]]; then
      command -v cc >/dev/null ||
        die "--clock-offsets needs a C compiler (cc) to build $kShimSource"
      cc -O2 -Wall -Wextra -shared -fPIC -o "$(shim_path).tmp" "$kShimSource" -ldl ||
        die "cannot compile $kShimSource"
      mv "$(shim_path).tmp" "$(shim_path)"
    fi
    [[ -f "$(clock_file "$k")" ]] || write_clock "$k" "${CLOCK_US[$k]}"
    ((-CLOCK_US[$k] > behind)) && behind=$((-CLOCK_US[$k]))
  done
  ((behind > 0)) || return 0
  newest=$(stat -c %Y "$PKI"/*.crt | sort -n | tail -n 1)
  now_ms=$(date +%s%3N)
  # +1 s: a certificate's notBefore is the second it was made in.
  wait_ms=$(((newest + 1) * 1000 + behind / 1000 - now_ms))
  if ((wait_ms > 0)); then
    say "waiting $wait_ms ms until the certificates are older than the largest negative clock offset"
    sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
  fi
}

# The offsets `up` was given, from testbed.conf, into CLOCK_US.
load_clock_offsets() {
  local n=$1 spec
  declare -gA CLOCK_US=()
  spec=$(conf_get CLOCK_OFFSETS)
  [[ -z "$spec" ]] || parse_clock_offsets "$n" "$spec"
}

# What status says of host K's clock: "clock +300ms", "clock +350ms
# (up: +300ms)" after a step, or "clock not offset".
clock_status() {
  local k=$1 now
  if [[ -z "${CLOCK_US[$k]:-}" ]]; then
    echo "clock not offset"
  elif now=$(read_clock "$k"); then
    if ((now == CLOCK_US[$k])); then
      echo "clock $(format_offset "$now")"
    else
      echo "clock $(format_offset "$now") (up: $(format_offset "${CLOCK_US[$k]}"))"
    fi
  else
    echo "clock: NO $(clock_file "$k")"
  fi
}

# testbed clock hK [STEP]: prints hK's offset; with STEP (signed: +50ms,
# -1500us) steps it by that much, as a clock discipline stepping the
# host's clock would.
clock_command() {
  local host=${1:-} step=${2:-} n k now delta
  [[ $host =~ ^h([0-9]+)$ && $# -le 2 ]] || usage
  [[ -f "$CONF" ]] || die "not up (no $CONF)"
  k=$((10#${BASH_REMATCH[1]}))
  n=$(conf_get N)
  ((k >= 1 && k <= n)) || { say "$host is not a host of this testbed (h1..h$n)"; exit 2; }
  load_clock_offsets "$n"
  if [[ -z "${CLOCK_US[$k]:-}" ]]; then
    say "$host's worker runs without a clock offset; bring the testbed up with --clock-offsets $host=+0ms to change its clock"
    exit 2
  fi
  now=$(read_clock "$k") || die "$host: cannot read $(clock_file "$k")"
  if [[ -z "$step" ]]; then
    echo "$host $(format_offset "$now")"
    return 0
  fi
  if [[ ! $step =~ ^[+-] ]]; then
    say "clock $host $step: a step has a sign (+50ms, -1500us)"
    exit 2
  fi
  if ! delta=$(offset_us "$step"); then
    say "clock $host $step: $(offset_problem "$step")"
    exit 2
  fi
  if ((now + delta > kMaxOffsetUs || now + delta < -kMaxOffsetUs)); then
    say "clock $host $step: the offset would be $(format_offset $((now + delta))), more than $((kMaxOffsetUs / 1000000)) s either way"
    exit 2
  fi
  write_clock "$k" $((now + delta))
  live_pid "$STATE/$host/worker.pid" scalebench-worker >/dev/null ||
    say "$host's worker is not running; it will start with this offset"
  echo "$host $(format_offset $((now + delta))) (was $(format_offset "$now"); the worker reads it within 1 s)"
}
