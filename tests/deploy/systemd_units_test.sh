#!/usr/bin/env bash
# The systemd units in deploy/systemd/ are what systemd accepts: every
# directive known to this systemd, every ExecStart an executable. Runs
# `systemd-analyze verify` on copies whose ExecStart points at the built
# binaries (the units name /usr/local/bin, where an operator installs
# them) and fails on any line it prints: verify exits 0 on an unknown key
# and only says so. What it cannot show is the units running: that needs
# a host booted with systemd (docs/testbed.md).
#
# Usage: tests/deploy/systemd_units_test.sh BIN_DIR
# Exit 77 (skipped) without systemd-analyze.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:?usage: systemd_units_test.sh BIN_DIR}")
command -v systemd-analyze >/dev/null || {
  echo "skipped: no systemd-analyze"
  exit 77
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
units=()
for unit in "$TOP"/deploy/systemd/*.service; do
  name=$(basename "$unit")
  # A template is verified as one instance of it.
  [[ $name == *@.service ]] && name=${name/@.service/@h1.service}
  sed "s|/usr/local/bin/|$BIN/|g" "$unit" >"$work/$name"
  units+=("./$name")
done
out=$(cd "$work" && systemd-analyze verify "${units[@]}" 2>&1) || true
if [[ -n "$out" ]]; then
  echo "FAIL  systemd-analyze verify ${units[*]}:"
  echo "$out"
  exit 1
fi
echo "ok    systemd-analyze verify accepts ${units[*]}"
