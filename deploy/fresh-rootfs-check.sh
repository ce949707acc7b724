#!/usr/bin/env bash
# Proves the quick start on a machine that has nothing but a Debian 12 base
# system, git and make: bootstraps such a root filesystem (once, cached),
# copies it, clones this repository's HEAD into the copy, and runs
# `make test` there in a chroot. Needs root, debootstrap, and the Debian
# mirror. Takes several minutes (package downloads and a full build).
#
# Usage: deploy/fresh-rootfs-check.sh [CACHE_DIR]   (default /srv/scalebench-rootfs)
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
cache=${1:-/srv/scalebench-rootfs}
base="$cache/bookworm-base"
work=$(mktemp -d /srv/scalebench-fresh.XXXXXX)

cleanup() {
  for m in dev/pts dev proc sys; do
    mountpoint -q "$work/root/$m" && umount -l "$work/root/$m"
  done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -x "$base/bin/bash" ]]; then
  command -v debootstrap >/dev/null || {
    echo "fresh-rootfs-check: needs debootstrap (apt-get install debootstrap)" >&2
    exit 1
  }
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=git,make,ca-certificates \
    bookworm "$base" http://deb.debian.org/debian
fi

cp -a "$base" "$work/root"
cp /etc/resolv.conf "$work/root/etc/resolv.conf"
mount -t proc proc "$work/root/proc"
mount -t sysfs sys "$work/root/sys"
mount --bind /dev "$work/root/dev"
mount --bind /dev/pts "$work/root/dev/pts"
git clone -q "$repo" "$work/root/scalebench"

start=$(date +%s)
chroot "$work/root" /bin/bash -c 'cd /scalebench && make test'
echo "fresh-rootfs-check: make test passed in a fresh Debian 12 root in $(( $(date +%s) - start )) s"
