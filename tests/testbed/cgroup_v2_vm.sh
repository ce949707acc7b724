#!/usr/bin/env bash
# The testbed's cgroup v2 path, run for real. This machine mounts the cpu
# and cpuset controllers as cgroup v1, so `deploy/testbed/testbed` takes
# its v1 path here; the v2 path (/sys/fs/cgroup/sbtb/hK with cpuset.cpus
# and cpu.max, the worker in the leaf hK/w) runs only where the unified
# hierarchy has those controllers. This script makes such a place: a QEMU
# guest (TCG, 2 vCPUs) booting Debian's cloud kernel with an initramfs of
# this machine's own programs, whose only cgroup hierarchy is v2. In it:
#
#   up 3        exits 0, `status` says cgroup v2, each host's cgroup has
#               cpuset.cpus 0-1 and cpu.max "66666 100000", and its worker
#               is in the leaf hK/w
#   a trial     two target hosts behind haproxy on a third (own_host)
#               succeeds; every host that generated load reports the CPU
#               quota of its v2 cgroup (/sbtb/hK) from cpu.stat
#   down        exits 0 and leaves no cgroup, namespace, link or process
#
# Usage: tests/testbed/cgroup_v2_vm.sh [BIN_DIR]   (default build/bin)
# Needs qemu-system-x86_64, and the kernel that
# deploy/images/build-qemu-images.sh downloads (Debian's package
# registry) into build/images/qemu. Prints one line per check and
# 'N passed, M failed'; exit 1 on a failure. Takes a few minutes: every
# instruction of the guest is emulated.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(realpath "${1:-$TOP/build/bin}")
IMAGES=${SCALEBENCH_QEMU_IMAGES:-$TOP/build/images/qemu}
TIMEOUT_S=${SCALEBENCH_V2_VM_TIMEOUT_S:-1200}

die() {
  echo "cgroup_v2_vm: $*" >&2
  exit 1
}

for tool in qemu-system-x86_64 dpkg dpkg-deb cpio gzip ldd busybox; do
  command -v "$tool" >/dev/null || die "needs $tool"
done
for b in scalebench scalebench-coordinator scalebench-worker; do
  [[ -x "$BIN/$b" ]] || die "no $BIN/$b: run make first"
done

"$TOP/deploy/images/build-qemu-images.sh" "$IMAGES" >&2 ||
  die "cannot build the guest kernel (deploy/images/build-qemu-images.sh)"
# awk reads the whole listing: `| head -1` could kill ls with SIGPIPE,
# which pipefail and set -e turn into a silent exit.
DEB=$(ls "$IMAGES"/cache/linux-image-*.deb 2>/dev/null | awk 'NR == 1')
[[ -n "$DEB" && -f "$IMAGES/vmlinuz" ]] || die "no kernel in $IMAGES"

WORK=$(mktemp -d /tmp/sb-v2-vm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root

# --- the guest's root file system: this machine's programs ----------------
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,run,tmp}
mkdir -p "$ROOT"/{var/log/nginx,var/lib/nginx,lib/modules,scalebench}
# Merged /usr, as on the host, so library paths resolve either way.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOT/$d"; done

# Copies a file (following links) to the same path in the guest.
put() {
  mkdir -p "$ROOT$(dirname "$1")"
  cp -L "$1" "$ROOT$1"
}
# Copies a program and every library ldd lists for it.
add_program() {
  local path
  if [[ $1 == /* ]]; then path=$1; else
    path=$(type -P "$1") || die "needs $1 on this machine"
  fi
  put "$path"
  while read -r lib; do put "$lib"; done < <(ldd "$path" 2>/dev/null |
    awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}')
}
# Whole packages of tools the scripts may call, then the servers.
for pkg in bash coreutils grep sed mawk findutils util-linux mount \
  iproute2; do
  while read -r path; do
    [[ -f "$path" && -x "$path" ]] && add_program "$path"
  done < <(dpkg -L "$pkg" | grep -E '^/(usr/)?s?bin/')
done
for p in openssl nginx haproxy; do add_program "$p"; done
ln -s bash "$ROOT/usr/bin/sh"
ln -s mawk "$ROOT/usr/bin/awk"  # as the alternatives system links it
# Loading modules: busybox's insmod (kmod is not a dependency here).
cp "$(command -v busybox)" "$ROOT/usr/sbin/insmod"
for b in scalebench scalebench-coordinator scalebench-worker; do
  cp "$BIN/$b" "$ROOT/usr/bin/"
  while read -r lib; do put "$lib"; done < <(ldd "$BIN/$b" |
    awk '/=> \// {print $3}')
done
put /etc/ssl/openssl.cnf
mkdir -p "$ROOT/usr/lib/ssl"
ln -s /etc/ssl/openssl.cnf "$ROOT/usr/lib/ssl/openssl.cnf"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
printf '127.0.0.1 localhost\n' >"$ROOT/etc/hosts"

# veth and the bridge, from the kernel's own package.
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$WORK" --wildcards \
  './lib/modules/*/veth.ko' './lib/modules/*/bridge.ko' \
  './lib/modules/*/stp.ko' './lib/modules/*/llc.ko'
find "$WORK/lib/modules" -name '*.ko' -exec cp {} "$ROOT/lib/modules/" \;

# The scripts the testbed needs, as in the repository.
mkdir -p "$ROOT/scalebench/src/deploy"
cp -r "$TOP/deploy/testbed" "$TOP/deploy/pki" "$ROOT/scalebench/src/deploy/"

# start_tolerance: the guest is emulated (TCG) and shares the machine with
# the rest of the suite, so its load generators wake up to ~10 ms after T0
# (CI saw 7-8 ms on every attempt); this test checks the cgroups, and
# testbed_clock_offset holds the synchronized start to the default 5 ms.
cat >"$ROOT/scalebench/spec.yaml" <<'EOF'
name: v2
loadgen:
  connections: 4
  duration: 2s
  start_tolerance: 50ms
sweep:
  instances: [2]
  hosts: [2]
  balancer: [haproxy]
placement:
  balancer: own_host
timeouts:
  prepare: 120s
  balance: 60s
  start_lead: 3s
EOF

# The checks, run by /init inside the guest; each prints one line.
cat >"$ROOT/scalebench/checks.sh" <<'EOF'
#!/bin/bash
set -u
export PATH=/usr/sbin:/usr/bin
export SCALEBENCH_BIN=/usr/bin SCALEBENCH_TESTBED_TIMEOUT_S=600
say() { echo "V2CHECK $*"; }
check() {
  local what=$1
  shift
  if "$@"; then say "ok    $what"; else say "FAIL  $what"; fi
}
testbed=/scalebench/src/deploy/testbed/testbed
out=$($testbed up 3)
check "up 3 exits 0" test $? = 0
eval "$(grep '^SCALEBENCH_' <<<"$out" | sed 's/^/export /')"
status=$($testbed status)
echo "$status"
check "status says cgroup v2" grep -q "cgroup v2" <<<"$status"
for k in 1 2 3; do
  h=/sys/fs/cgroup/sbtb/h$k
  check "h$k: cpuset.cpus 0-1, cpu.max 66666 100000" \
    test "$(cat $h/cpuset.cpus) $(cat $h/cpu.max)" = "0-1 66666 100000"
  check "h$k: the worker is in the leaf h$k/w" \
    grep -qx "$(cat /tmp/sbtb/h$k/worker.pid)" $h/w/cgroup.procs
done
name=$(scalebench submit /scalebench/spec.yaml | tail -1)
check "submit exits 0" test -n "$name"
watched=$(scalebench watch "$name" 2>&1)
rc=$?
check "watch: the trial succeeded" test $rc = 0
# What watch said, when it failed, on lines of their own.
if [[ $rc != 0 ]]; then
  tail -8 <<<"$watched" | while IFS= read -r line; do say "      $line"; done
fi
json=$(scalebench results "$name" --output json)
echo "$json" | grep -E '"(worker_id|cgroup|cpus|periods|throttled_periods)"'
quotas=$(grep -c '"cgroup": "/sbtb/h[123]"' <<<"$json")
check "the two load-generating hosts report their v2 cgroup's quota" \
  test "$quotas" -ge 2
$testbed down
check "down exits 0" test $? = 0
check "down: no testbed cgroup is left" test ! -e /sys/fs/cgroup/sbtb
check "down: no namespace is left" test -z "$(ip netns list)"
check "down: no sbtb link is left" \
  bash -c '! ip -o link show | grep -q sbtb'
left=$(grep -l '[/]tmp/sbtb' /proc/[0-9]*/cmdline 2>/dev/null || true)
check "down: no process of the testbed is left" test -z "$left"
say "done"
EOF
chmod +x "$ROOT/scalebench/checks.sh"

cat >"$ROOT/init" <<'EOF'
#!/bin/bash
export PATH=/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
# The unified hierarchy only, with every controller the kernel has.
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for m in llc stp bridge veth; do insmod /lib/modules/$m.ko; done
ip link set lo up
/scalebench/checks.sh 2>&1
sync
echo o >/proc/sysrq-trigger
sleep 60
EOF
chmod +x "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/root.cpio.gz"

# --- boot it --------------------------------------------------------------
echo "cgroup_v2_vm: booting the guest (TCG; a few minutes)" >&2
console=$WORK/console.log
timeout "$TIMEOUT_S" qemu-system-x86_64 -accel tcg -smp 2 -m 3072 \
  -kernel "$IMAGES/vmlinuz" -initrd "$WORK/root.cpio.gz" \
  -append "console=ttyS0 panic=-1 quiet" \
  -no-reboot -serial "file:$console" -monitor none \
  -display none </dev/null >"$WORK/qemu.log" 2>&1 || true

passed=$(grep -c '^V2CHECK ok' "$console" || true)
failed=$(grep -c '^V2CHECK FAIL' "$console" || true)
grep '^V2CHECK \(ok\|FAIL\|      \)' "$console" | sed 's/^V2CHECK //'
if ! grep -q '^V2CHECK done' "$console"; then
  echo "FAIL  the guest ran every check (console tail below)"
  tail -40 "$console"
  failed=$((failed + 1))
fi
if [[ -n "${SCALEBENCH_V2_VM_KEEP:-}" ]]; then
  cp "$console" "$SCALEBENCH_V2_VM_KEEP"
fi
echo "$passed passed, $failed failed"
((failed == 0))
