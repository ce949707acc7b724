# Sourced by the image builders (deploy/images/build-qemu-images.sh,
# deploy/xen-host/build-xen-host-image.sh): fetching a Debian package's
# .deb without installing it.

# download_deb PKG CACHE TOOL: prints the path of PKG's .deb at its
# candidate version in CACHE, downloading it there once with
# `apt-get download` (TOOL names the caller in messages). Returns 1 when
# apt knows no version of PKG (no `apt-get update` yet), 2 when the
# download fails (said on stderr).
download_deb() {
  local pkg=$1 cache=$2 tool=$3 ver file tmp
  ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
        awk '/^Version:/ {print $2; exit}' || true)
  [[ -n "$ver" ]] || return 1
  file=$cache/${pkg}_${ver//:/%3a}_amd64.deb
  if [[ ! -f "$file" ]]; then
    echo "$tool: downloading $pkg $ver" >&2
    tmp=$(mktemp -d "$cache/dl.XXXXXX")
    chmod 777 "$tmp"  # apt's sandbox user writes there
    if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >&2); then
      rm -rf "$tmp"
      echo "$tool: apt-get download $pkg=$ver failed" >&2
      return 2
    fi
    mv "$tmp"/*.deb "$file"
    rm -rf "$tmp"
  fi
  echo "$file"
}
