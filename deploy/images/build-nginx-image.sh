#!/usr/bin/env bash
# Builds scalebench's nginx image without a registry: a root filesystem
# assembled from this machine's Debian packages (the nginx binary and the
# libraries ldd lists, busybox-static for a shell, /etc/passwd and
# /etc/group with nobody, an nginx.conf the docker driver overrides), tar'd
# reproducibly. The image is named scalebench/nginx:<hash of the inputs>,
# so it is rebuilt (and re-imported) only when an input changes: this
# script, the binaries or the libraries.
#
#   deploy/images/build-nginx-image.sh [--out DIR] [--print-tag] [--import]
#     --out DIR    where the tar is cached
#                  (default ${XDG_CACHE_HOME:-$HOME/.cache}/scalebench/images)
#     --print-tag  print IMAGE=... and build nothing
#     --import     also `docker import` the tar into the engine at
#                  $DOCKER_HOST unless it already has the image
#   Prints IMAGE=scalebench/nginx:<hash> and TAR=<path of the tar>.
set -euo pipefail

NGINX=${NGINX:-/usr/sbin/nginx}
BUSYBOX=${BUSYBOX:-/bin/busybox}
DOCKER=${DOCKER:-/usr/bin/docker}   # docker.io's CLI
REPO=scalebench/nginx

out=${XDG_CACHE_HOME:-$HOME/.cache}/scalebench/images
print_tag=0
do_import=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --print-tag) print_tag=1; shift ;;
    --import) do_import=1; shift ;;
    *) echo "build-nginx-image: unknown argument: $1" >&2; exit 2 ;;
  esac
done

die() { echo "build-nginx-image: $*" >&2; exit 1; }
[[ -x "$NGINX" ]] || die "no nginx at $NGINX (apt-get install nginx)"
[[ -x "$BUSYBOX" ]] || die "no busybox at $BUSYBOX (apt-get install busybox-static)"

# Host files copied into the image at the same path: nginx, busybox, and
# every library (and the loader) nginx links.
files=("$NGINX" "$BUSYBOX")
while read -r lib; do
  files+=("$lib")
done < <(ldd "$NGINX" | awk '/=>/ && $3 ~ /^\// {print $3} !/=>/ && $1 ~ /^\// {print $1}')

# The hash covers this script (the layout and configs it writes) and the
# content of every copied file.
tag=$( {
  sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
  for f in "${files[@]}"; do
    printf '%s ' "$f"
    sha256sum "$(realpath "$f")" | cut -d' ' -f1
  done
} | sha256sum | cut -c1-16)
image=$REPO:$tag
tar_path=$(realpath -m "$out/scalebench-nginx-$tag.tar")

if [[ $print_tag -eq 1 ]]; then
  echo "IMAGE=$image"
  echo "TAR=$tar_path"
  exit 0
fi

if [[ ! -s "$tar_path" ]]; then
  mkdir -p "$out"
  work=$(mktemp -d "$out/.build.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  root=$work/root
  mkdir -p "$root"/{bin,sbin,etc/nginx,lib64,tmp,usr/share/nginx/html} \
           "$root"/var/{log/nginx,lib/nginx,run} "$root"/proc "$root"/sys "$root"/dev
  chmod 1777 "$root/tmp"
  for f in "${files[@]}"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
  done
  # busybox applets for a shell in the container (docker exec, debugging).
  for applet in sh ls cat ps kill sleep; do
    [[ -e "$root/bin/$applet" ]] || ln -s "$BUSYBOX" "$root/bin/$applet"
  done
  cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
  cat > "$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
  echo 'passwd: files' > "$root/etc/nsswitch.conf"
  echo 'group: files' >> "$root/etc/nsswitch.conf"
  # A default page and config; the docker driver mounts its own config.
  head -c 612 /dev/zero | tr '\0' 'x' > "$root/usr/share/nginx/html/index.html"
  cat > "$root/etc/nginx/nginx.conf" <<'CONF'
user nobody nogroup;
worker_processes 1;
daemon off;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type text/html;
  client_body_temp_path /tmp;
  proxy_temp_path /tmp;
  fastcgi_temp_path /tmp;
  uwsgi_temp_path /tmp;
  scgi_temp_path /tmp;
  server {
    listen 80;
    root /usr/share/nginx/html;
  }
}
CONF
  # Reproducible: sorted names, fixed times and owners.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
      -C "$root" -cf "$work/image.tar" .
  mv "$work/image.tar" "$tar_path"
fi

if [[ $do_import -eq 1 ]]; then
  [[ -n "${DOCKER_HOST:-}" ]] || die "--import needs DOCKER_HOST"
  if ! "$DOCKER" image inspect "$image" >/dev/null 2>&1; then
    "$DOCKER" import \
      --change 'CMD ["/usr/sbin/nginx", "-e", "stderr", "-c", "/etc/nginx/nginx.conf"]' \
      --message "scalebench nginx from $NGINX" \
      "$tar_path" "$image" >/dev/null
  fi
fi

echo "IMAGE=$image"
echo "TAR=$tar_path"
