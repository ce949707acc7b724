#!/usr/bin/env bash
# Builds the image of a nested Xen host, from Debian packages only: Debian's
# Xen 4.17 hypervisor, Debian's standard amd64 kernel as a PV dom0 (the
# cloud kernel has no dom0 support), and an initramfs holding the Xen
# toolstack, busybox-static, a bridge hotplug script, scalebench-worker,
# scalebench-loadgen, nginx and haproxy with the libraries `ldd` lists, and
# the kernel modules dom0 needs. Packages are fetched with
# `apt-get download` and unpacked with dpkg-deb, never installed.
# deploy/xen-host/xen-host boots it under QEMU.
#
#   deploy/xen-host/build-xen-host-image.sh [OUTDIR]
#       (default <repo>/build/images/xen-host)
#
# Writes:
#   OUTDIR/xen              the hypervisor, gunzipped (QEMU's -kernel)
#   OUTDIR/vmlinuz          the dom0 kernel (first multiboot module)
#   OUTDIR/initrd.cpio.gz   dom0's initramfs (second module); its /init is
#                           deploy/xen-host/dom0-init. Per-host settings
#                           and certificates are a second cpio that
#                           `xen-host up` appends.
#   OUTDIR/inputs.sha256    hashes of every input; when they match, nothing
#                           is rebuilt
#   OUTDIR/cache/           the downloaded .debs
#   OUTDIR/guest/vmlinuz, OUTDIR/guest/initrd.img
#                           the xen driver's built-in guest: the same
#                           kernel as a PV/PVH domU, and an initramfs with
#                           busybox, nginx and xen-netfront whose /init is
#                           deploy/xen-host/domu-init. dom0 has a copy in
#                           /opt/scalebench/build/images/xen, the worker's
#                           default images dir (it runs in /opt/scalebench).
#
# Environment:
#   BIN              scalebench-worker and scalebench-loadgen (default
#                    <repo>/build/bin)
#   REFRESH_DEBS     1 = ask apt for current versions even when cached
#   KERNEL_PACKAGE   whose dependency names the kernel (default
#                    linux-image-amd64)
#   NGINX, HAPROXY, BUSYBOX   the host binaries to copy
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
# shellcheck source=../images/debian-packages.sh
. "$TOP/deploy/images/debian-packages.sh"
OUT=${1:-$TOP/build/images/xen-host}
BIN=${BIN:-$TOP/build/bin}
KERNEL_PACKAGE=${KERNEL_PACKAGE:-linux-image-amd64}
NGINX=${NGINX:-/usr/sbin/nginx}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
BUSYBOX=${BUSYBOX:-/bin/busybox}
XENVER=4.17
# Xen's packages: the hypervisor, the toolstack and the libraries it links,
# so the libraries match xl's version whatever the host has installed.
XEN_DEBS=("xen-hypervisor-$XENVER-amd64" "xen-utils-$XENVER" xenstore-utils
          "libxenmisc$XENVER" libxencall1 libxenevtchn1 libxenforeignmemory1
          libxengnttab1 libxenstore4 libxentoollog1 libxendevicemodel1
          libxenhypfs1 libxentoolcore1 libyajl2)
XEN_TOOLS=(xl xenstored xenconsoled xen-init-dom0 libxl-save-helper xenconsole)
XENSTORE_TOOLS=(xenstore-read xenstore-write xenstore-rm xenstore-ls
                xenstore-list xenstore-exists xenstore-chmod xenstore-watch)
# dom0's modules in load order: the QEMU NIC (virtio), Xen's device
# drivers, the backend of guests' vifs, the bridge. dom0-init loads them
# in this order (written to /lib/modules/order).
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
         virtio_pci failover net_failover virtio_net
         xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-netback
         llc stp bridge)
# The built-in guest's: its vif's frontend.
GUEST_MODULES=(xen-netfront)

die() { echo "build-xen-host-image: $*" >&2; exit 1; }
for tool in apt-get apt-cache dpkg-deb cpio gzip sha256sum ldd; do
  command -v "$tool" >/dev/null || die "$tool is missing (run deploy/install-deps.sh)"
done
for b in "$NGINX" "$HAPROXY" "$BUSYBOX"; do
  [[ -x "$b" ]] || die "no $(basename "$b") at $b (run deploy/install-deps.sh; busybox-static for busybox)"
done
for b in scalebench-worker scalebench-loadgen; do
  [[ -x "$BIN/$b" ]] || die "no $BIN/$b: build it (make) or set BIN"
done
"$BUSYBOX" --list | grep -x brctl >/dev/null || die "$BUSYBOX has no brctl applet"
mkdir -p "$OUT/cache"
OUT=$(cd "$OUT" && pwd)

# deb PKG: the path of PKG's .deb at its candidate version, downloaded once
# into OUT/cache. A cached .deb is used as is (apt-cache alone takes
# seconds): delete OUT/cache, or set REFRESH_DEBS=1, after `apt-get update`.
deb() {
  local pkg=$1 cached file rc=0
  # shellcheck disable=SC2012  # .deb names have no odd characters
  cached=$(ls -t "$OUT/cache/${pkg}_"*.deb 2>/dev/null | head -1 || true)
  if [[ -n "$cached" && "${REFRESH_DEBS:-0}" != 1 ]]; then
    echo "$cached"
    return
  fi
  file=$(download_deb "$pkg" "$OUT/cache" build-xen-host-image) || rc=$?
  ((rc != 2)) || die "cannot download $pkg"
  if ((rc == 1)); then
    [[ -n "$cached" ]] || die "apt knows no $pkg (apt-get update?)"
    file=$cached
  fi
  echo "$file"
}

# The kernel: the versioned package KERNEL_PACKAGE depends on.
kernel_pkg() {
  local cached
  # shellcheck disable=SC2012  # .deb names have no odd characters
  cached=$(ls -t "$OUT"/cache/linux-image-*.deb 2>/dev/null | head -1 || true)
  if [[ -n "$cached" && "${REFRESH_DEBS:-0}" != 1 ]]; then
    basename "$cached" | cut -d_ -f1
    return
  fi
  apt-cache depends "$KERNEL_PACKAGE" 2>/dev/null |
    awk '/Depends: linux-image-/ {print $2; exit}' | grep . ||
    die "cannot resolve $KERNEL_PACKAGE (apt-get update?)"
}

KDEB=$(deb "$(kernel_pkg)")
DEBS=()
for p in "${XEN_DEBS[@]}"; do DEBS+=("$(deb "$p")"); done

INPUTS=("${BASH_SOURCE[0]}" "$TOP/deploy/images/debian-packages.sh" "$HERE/dom0-init" "$HERE/domu-init" "$HERE/vif-bridge"
        "$HERE/control" "$KDEB"
        "${DEBS[@]}" "$BUSYBOX" "$NGINX" "$HAPROXY" "$BIN/scalebench-worker"
        "$BIN/scalebench-loadgen")
STAMP=$(for f in "${INPUTS[@]}"; do
          printf '%s  %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$(basename "$f")"
        done)
if [[ -f "$OUT/inputs.sha256" && "$(cat "$OUT/inputs.sha256")" == "$STAMP" &&
      -f "$OUT/xen" && -f "$OUT/vmlinuz" && -f "$OUT/initrd.cpio.gz" &&
      -f "$OUT/guest/vmlinuz" && -f "$OUT/guest/initrd.img" ]]; then
  exit 0
fi

WORK=$(mktemp -d "$OUT/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
echo "build-xen-host-image: building into $OUT" >&2
PKG=$WORK/pkg   # the unpacked Xen packages
mkdir -p "$PKG"
for d in "${DEBS[@]}"; do dpkg-deb -x "$d" "$PKG"; done
[[ -f "$PKG/boot/xen-$XENVER-amd64.gz" ]] || die "no xen-$XENVER-amd64.gz in the hypervisor package"
# Only the kernel and the modules we load: unpacking the whole kernel
# package is several times slower.
mapfile -t KO < <(printf './lib/modules/*/%s.ko\n' "${MODULES[@]}" "${GUEST_MODULES[@]}")
dpkg-deb --fsys-tarfile "$KDEB" |
  tar -x -C "$WORK" --wildcards './boot/vmlinuz-*' "${KO[@]}"
KERNEL=$(ls "$WORK"/boot/vmlinuz-*)

# copy_modules DEST MODULE...: copies each MODULE.ko unpacked from the
# kernel package into DEST. find stops at the first match itself (-quit):
# `find | head -1` under pipefail lets find die of SIGPIPE when head exits
# first, which set -e turns into a silent exit (as ldconfig did, below).
copy_modules() {
  local dest=$1 m f
  shift
  for m in "$@"; do
    f=$(find "$WORK/lib/modules" -name "$m.ko" -print -quit)
    [[ -n "$f" ]] || die "$KDEB lacks $m.ko"
    cp "$f" "$dest/"
  done
}

# install_busybox ROOT: busybox as ROOT/bin/busybox with a link per applet.
install_busybox() {
  local root=$1 applet
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [[ -e "$root/bin/$applet" ]] || ln -s busybox "$root/bin/$applet"
  done
}

# newc cpio owned by root, in a stable order, gzip without a timestamp.
pack() {
  (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -n -6 > "$2.tmp"
  mv "$2.tmp" "$2"
}

R=$WORK/root
XBIN=/usr/lib/xen-$XENVER/bin
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc/xen/scripts,proc,sys,dev,run,tmp,var}
mkdir -p "$R/lib/modules" "$R$XBIN" "$R/opt/scalebench"
chmod 1777 "$R/tmp"
install_busybox "$R"
copy_modules "$R/lib/modules" "${MODULES[@]}"
printf '%s\n' "${MODULES[@]}" > "$R/lib/modules/order"

# Programs, each with the libraries ldd lists; Xen's libraries are
# resolved from the unpacked packages first.
PROGS=()
for t in "${XEN_TOOLS[@]}"; do
  [[ -x "$PKG$XBIN/$t" ]] || die "xen-utils-$XENVER lacks $t"
  cp "$PKG$XBIN/$t" "$R$XBIN/$t"; PROGS+=("$PKG$XBIN/$t")
  ln -sf "$XBIN/$t" "$R/usr/sbin/$t"
done
for t in "${XENSTORE_TOOLS[@]}"; do
  cp "$PKG/usr/bin/$t" "$R/usr/bin/$t"; PROGS+=("$PKG/usr/bin/$t")
done
cp "$BIN/scalebench-worker" "$BIN/scalebench-loadgen" "$R/usr/bin/"
cp "$NGINX" "$R/usr/sbin/nginx"
cp "$HAPROXY" "$R/usr/sbin/haproxy"
PROGS+=("$BIN/scalebench-worker" "$BIN/scalebench-loadgen" "$NGINX" "$HAPROXY")
XENLIB=$PKG/usr/lib/x86_64-linux-gnu:$PKG/lib/x86_64-linux-gnu
for p in "${PROGS[@]}"; do
  # grep without -q reads all of ldd's output: with -q, ldd could die of
  # SIGPIPE and pipefail would hide the missing library.
  LD_LIBRARY_PATH=$XENLIB ldd "$p" | grep 'not found' >/dev/null &&
    die "ldd $p: a library is missing: $(LD_LIBRARY_PATH=$XENLIB ldd "$p" | grep 'not found' | head -3)"
  LD_LIBRARY_PATH=$XENLIB ldd "$p" | awk '/=> \// {print $3} /^\t\// {print $1}'
done | sort -u | while read -r lib; do
  dest=$lib
  case "$lib" in "$PKG"/*) dest=${lib#"$PKG"} ;; esac
  mkdir -p "$R$(dirname "$dest")"
  cp -L "$lib" "$R$dest"
done
# Debian's /lib is a link to /usr/lib; keep both spellings valid.
if [[ -d "$R/usr/lib/x86_64-linux-gnu" ]]; then
  mkdir -p "$R/lib/x86_64-linux-gnu"
  cp -an "$R/usr/lib/x86_64-linux-gnu/." "$R/lib/x86_64-linux-gnu/"
  rm -rf "$R/usr/lib/x86_64-linux-gnu"
  ln -s ../../lib/x86_64-linux-gnu "$R/usr/lib/x86_64-linux-gnu"
fi
# libgcc_s: libxl's threads need it for pthread_cancel/unwinding, and
# nothing links it directly.
# awk reads the whole listing: stopping at the first match would let
# ldconfig die of SIGPIPE, which pipefail turns into a silent exit.
gcc_s=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ && !found {print $NF; found = 1}')
[[ -n "$gcc_s" ]] || die "no libgcc_s.so.1 on this host (libgcc-s1)"
cp -L "$gcc_s" "$R/lib/x86_64-linux-gnu/libgcc_s.so.1"

cp "$HERE/vif-bridge" "$R/etc/xen/scripts/vif-bridge"
chmod 755 "$R/etc/xen/scripts/vif-bridge"
cp "$HERE/dom0-init" "$R/init"
chmod 755 "$R/init"
cp "$HERE/control" "$R/opt/scalebench/control"
chmod 755 "$R/opt/scalebench/control"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nwww-data:x:33:33:www-data:/:/bin/false\n' \
  > "$R/etc/passwd"
printf 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n' > "$R/etc/group"
printf '127.0.0.1 localhost\n' > "$R/etc/hosts"
printf 'hosts: files dns\npasswd: files\ngroup: files\n' > "$R/etc/nsswitch.conf"
# The built-in guest: busybox, nginx with its libraries, xen-netfront.
G=$WORK/guest
mkdir -p "$G"/{bin,sbin,usr/sbin,etc,proc,sys,dev,run,tmp,www,lib/modules}
install_busybox "$G"
cp "$NGINX" "$G/usr/sbin/nginx"
ldd "$NGINX" | awk '/=> \// {print $3} /^\t\// {print $1}' | while read -r lib; do
  mkdir -p "$G$(dirname "$lib")"
  cp -L "$lib" "$G$lib"
done
copy_modules "$G/lib/modules" "${GUEST_MODULES[@]}"
cp "$HERE/domu-init" "$G/init"
chmod 755 "$G/init"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$G/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$G/etc/group"
mkdir -p "$OUT/guest" "$R/opt/scalebench/build/images/xen"
pack "$G" "$OUT/guest/initrd.img"
cp "$KERNEL" "$OUT/guest/vmlinuz.tmp" && mv "$OUT/guest/vmlinuz.tmp" "$OUT/guest/vmlinuz"
cp "$OUT/guest/vmlinuz" "$OUT/guest/initrd.img" "$R/opt/scalebench/build/images/xen/"

pack "$R" "$OUT/initrd.cpio.gz"
gzip -dc "$PKG/boot/xen-$XENVER-amd64.gz" > "$OUT/xen.tmp" && mv "$OUT/xen.tmp" "$OUT/xen"
cp "$KERNEL" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
printf '%s\n' "$STAMP" > "$OUT/inputs.sha256"
echo "build-xen-host-image: xen $(du -k "$OUT/xen" | cut -f1) KiB, $(basename "$KERNEL") $(du -k "$OUT/vmlinuz" | cut -f1) KiB, initrd $(du -k "$OUT/initrd.cpio.gz" | cut -f1) KiB, guest initrd $(du -k "$OUT/guest/initrd.img" | cut -f1) KiB" >&2
