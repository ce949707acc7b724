#!/usr/bin/env bash
# Builds the QEMU guest images of the qemu platform from Debian packages
# only: Debian's cloud kernel (downloaded as a .deb with `apt-get download`
# and unpacked, never installed on the host), busybox-static, and the host's
# nginx with the libraries `ldd` lists.
#
#   deploy/images/build-qemu-images.sh [OUTDIR]     (default build/images/qemu)
#
# Writes:
#   OUTDIR/vmlinuz              the kernel
#   OUTDIR/general.cpio.gz      a small traditional system: /init mounts
#                               proc/sys/dev, loads virtio, DHCP, syslogd,
#                               then nginx (deploy/images/qemu/general-init)
#   OUTDIR/single-app.cpio.gz   the unikernel stand-in: /init loads virtio,
#                               sets a static address and execs nginx as
#                               PID 1 (deploy/images/qemu/single-app-init)
#   OUTDIR/inputs.sha256        hashes of every input; when they match,
#                               nothing is rebuilt (a cached run takes well
#                               under a second)
#   OUTDIR/cache/               the downloaded kernel .deb
# Both images read `scalebench.workers=N scalebench.page=BYTES` from the
# kernel command line and serve on port 80 of 10.0.2.15.
#
# Environment:
#   KERNEL_DEB       a linux-image .deb to use instead of downloading one
#   REFRESH_KERNEL   1 = ask apt for the current kernel even when one is
#                    cached
#   KERNEL_PACKAGE   the package whose dependency names the kernel
#                    (default linux-image-cloud-amd64)
#   NGINX, BUSYBOX   the binaries to copy (default /usr/sbin/nginx,
#                    /bin/busybox)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/qemu
# shellcheck source=debian-packages.sh
. "$HERE/debian-packages.sh"
OUT=${1:-build/images/qemu}
KERNEL_PACKAGE=${KERNEL_PACKAGE:-linux-image-cloud-amd64}
NGINX=${NGINX:-/usr/sbin/nginx}
BUSYBOX=${BUSYBOX:-/bin/busybox}
# The virtio network stack, in load order (see qemu/virtio-modules.sh).
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
         virtio_pci failover net_failover virtio_net)

die() { echo "build-qemu-images: $*" >&2; exit 1; }
for tool in dpkg-deb cpio gzip sha256sum ldd; do
  command -v "$tool" >/dev/null || die "$tool is missing (run deploy/install-deps.sh)"
done
[[ -x "$NGINX" ]] || die "no nginx at $NGINX (run deploy/install-deps.sh)"
[[ -x "$BUSYBOX" ]] || die "no busybox at $BUSYBOX (install busybox-static)"
# grep reads the whole list (no -q): stopping at the match could kill
# busybox with SIGPIPE, which pipefail reports as a failure.
"$BUSYBOX" --list | grep -x udhcpc >/dev/null || die "$BUSYBOX has no udhcpc applet"
mkdir -p "$OUT/cache"
OUT=$(cd "$OUT" && pwd)

# The kernel .deb: the versioned package linux-image-cloud-amd64 depends
# on, at its candidate version, downloaded once into OUT/cache. A cached
# .deb is used as is (apt-cache alone takes seconds): delete OUT/cache, or
# set REFRESH_KERNEL=1, to pick up a newer kernel after `apt-get update`.
kernel_deb() {
  if [[ -n "${KERNEL_DEB:-}" ]]; then
    [[ -f "$KERNEL_DEB" ]] || die "KERNEL_DEB=$KERNEL_DEB does not exist"
    echo "$KERNEL_DEB"
    return
  fi
  local cached
  cached=$(ls -t "$OUT"/cache/linux-image-*.deb 2>/dev/null | head -1 || true)
  if [[ -n "$cached" && "${REFRESH_KERNEL:-0}" != 1 ]]; then
    echo "$cached"
    return
  fi
  local pkg file rc=0
  pkg=$(apt-cache depends "$KERNEL_PACKAGE" 2>/dev/null |
        awk '/Depends: linux-image-/ {print $2; exit}')
  if [[ -n "$pkg" ]]; then
    file=$(download_deb "$pkg" "$OUT/cache" build-qemu-images) || rc=$?
    ((rc != 2)) || die "cannot download the kernel"
    if ((rc == 0)); then
      echo "$file"
      return
    fi
  fi
  [[ -n "$cached" ]] || die "cannot resolve $KERNEL_PACKAGE (apt-get update?)"
  echo "$cached"
}

DEB=$(kernel_deb)
mapfile -t LIBS < <(ldd "$NGINX" | awk '/=> \// {print $3} /^\t\// {print $1}')
INPUTS=("${BASH_SOURCE[0]}" "$HERE/debian-packages.sh" "$SRC"/* "$DEB" "$BUSYBOX" "$NGINX" "${LIBS[@]}")
STAMP=$(for f in "${INPUTS[@]}"; do
          printf '%s  %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$(basename "$f")"
        done)
if [[ -f "$OUT/inputs.sha256" && "$(cat "$OUT/inputs.sha256")" == "$STAMP" &&
      -f "$OUT/vmlinuz" && -f "$OUT/general.cpio.gz" &&
      -f "$OUT/single-app.cpio.gz" ]]; then
  exit 0
fi

WORK=$(mktemp -d "$OUT/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "build-qemu-images: building into $OUT" >&2
# Only the kernel and the modules we load: unpacking the whole package is
# several times slower.
dpkg-deb --fsys-tarfile "$DEB" |
  tar -x -C "$WORK" --wildcards './boot/vmlinuz-*' \
      $(printf "./lib/modules/*/%s.ko " "${MODULES[@]}")
KERNEL=$(ls "$WORK"/boot/vmlinuz-*)
for m in "${MODULES[@]}"; do
  [[ -n "$(find "$WORK/lib/modules" -name "$m.ko")" ]] || die "$DEB lacks $m.ko"
done

# The parts both images share: busybox, nginx and its libraries, the
# modules, users, the setup fragments.
base_rootfs() {
  local root=$1 lib
  mkdir -p "$root"/{bin,sbin,usr/sbin,usr/bin,etc,proc,sys,dev,run,tmp,www}
  mkdir -p "$root"/lib/modules "$root"/lib/scalebench
  cp "$BUSYBOX" "$root/bin/busybox"
  cp "$NGINX" "$root/usr/sbin/nginx"
  for lib in "${LIBS[@]}"; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  find "$WORK/lib/modules" -name '*.ko' -exec cp {} "$root/lib/modules/" \;
  cp "$SRC/nginx-setup.sh" "$SRC/virtio-modules.sh" "$root/lib/scalebench/"
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
    > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  chmod 1777 "$root/tmp"
}

# newc cpio owned by root, in a stable order, gzip without a timestamp.
pack() {
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -n -6 > "$2.tmp"
  mv "$2.tmp" "$2"
}

# general: every busybox applet, DHCP hook, syslog.
G=$WORK/general
base_rootfs "$G"
for applet in $("$BUSYBOX" --list); do
  [[ -e "$G/bin/$applet" ]] || ln -s busybox "$G/bin/$applet"
done
mkdir -p "$G/var/log"
cp "$SRC/udhcpc.script" "$G/etc/udhcpc.script"
cp "$SRC/general-init" "$G/init"

# single-app: only the applets its /init uses.
S=$WORK/single-app
base_rootfs "$S"
for applet in sh mount insmod ip head tr cat mkdir chmod echo; do
  ln -s busybox "$S/bin/$applet"
done
cp "$SRC/single-app-init" "$S/init"

pack "$G" "$OUT/general.cpio.gz" &
pack "$S" "$OUT/single-app.cpio.gz"
wait $! || die "packing general failed"
cp "$KERNEL" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
printf '%s\n' "$STAMP" > "$OUT/inputs.sha256"
echo "build-qemu-images: $(basename "$KERNEL"), general $(du -k "$OUT/general.cpio.gz" | cut -f1) KiB, single-app $(du -k "$OUT/single-app.cpio.gz" | cut -f1) KiB" >&2
