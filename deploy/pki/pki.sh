#!/usr/bin/env bash
# A testbed's PKI for scalebench's mutual TLS, made with openssl: one CA, a
# certificate for the coordinator, one per worker and one per CLI user.
# Keys are EC P-256, written 0600. Idempotent: an existing key or
# certificate is kept (delete it to reissue). Prints the paths it made or
# kept, one per line. See docs/security.md.
#
#   pki.sh ca DIR                         DIR/ca.key, DIR/ca.crt
#   pki.sh server DIR NAME [--dns H]... [--ip A]...
#                                         DIR/server-NAME.{key,crt}
#   pki.sh worker DIR WORKER_ID           DIR/worker-WORKER_ID.{key,crt}
#   pki.sh client DIR NAME                DIR/client-NAME.{key,crt}
set -euo pipefail

readonly kCaDays=3650    # the testbed's CA: ten years
readonly kLeafDays=825   # coordinator, worker and client certificates
# Worker ids and client names, as in SynchronizeRequest.worker_id.
readonly kNamePattern='^[A-Za-z0-9._-]{1,64}$'

usage() {
  sed -n '/^#   pki.sh/p' "$0" | sed 's/^#   /usage: /' >&2
  exit 2
}

die() { echo "pki.sh: $*" >&2; exit 1; }

check_name() {  # what, value
  [[ "$2" =~ $kNamePattern ]] || die "$1 '$2' does not match $kNamePattern"
}

# Writes an EC P-256 private key to $1 (mode 0600) unless it exists.
make_key() {
  local key=$1
  [[ -f "$key" ]] && return 0
  local tmp="$key.tmp.$$"
  (umask 077 && openssl genpkey -algorithm EC \
     -pkeyopt ec_paramgen_curve:P-256 -out "$tmp" 2>/dev/null)
  mv "$tmp" "$key"
}

# Issues $3 (certificate) for key $2 with subject CN $1, signed by the CA in
# $dir, with the x509v3 extensions in $4, unless the certificate exists.
issue() {
  local cn=$1 key=$2 crt=$3 extensions=$4
  [[ -f "$crt" ]] && return 0
  [[ -f "$dir/ca.key" && -f "$dir/ca.crt" ]] ||
    die "no CA in $dir; run: pki.sh ca $dir"
  local tmp
  tmp=$(mktemp -d "$dir/.issue.XXXXXX")
  printf '%s\n' "$extensions" > "$tmp/ext.cnf"
  openssl req -new -key "$key" -subj "/CN=$cn" -out "$tmp/req.csr"
  openssl x509 -req -in "$tmp/req.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$kLeafDays" -sha256 \
    -extfile "$tmp/ext.cnf" -out "$tmp/leaf.crt" 2>/dev/null
  mv "$tmp/leaf.crt" "$crt"
  rm -rf "$tmp"
}

# issue_leaf KIND NAME EKU SAN: DIR/KIND-NAME.{key,crt} (KIND server,
# worker or client) with subject CN NAME, extendedKeyUsage EKU and
# subjectAltName SAN, unless they exist; prints both paths.
issue_leaf() {
  local base=$dir/$1-$2
  make_key "$base.key"
  issue "$2" "$base.key" "$base.crt" "$(leaf_extensions "$3" "$4")"
  printf '%s\n' "$base.key" "$base.crt"
}

leaf_extensions() {  # extendedKeyUsage, subjectAltName
  printf '%s\n' \
    "basicConstraints = critical, CA:FALSE" \
    "keyUsage = critical, digitalSignature" \
    "extendedKeyUsage = $1" \
    "subjectKeyIdentifier = hash" \
    "authorityKeyIdentifier = keyid" \
    "subjectAltName = $2"
}

cmd_ca() {
  make_key "$dir/ca.key"
  if [[ ! -f "$dir/ca.crt" ]]; then
    openssl req -x509 -new -key "$dir/ca.key" -subj "/CN=scalebench testbed CA" \
      -days "$kCaDays" -sha256 \
      -addext "basicConstraints = critical, CA:TRUE, pathlen:0" \
      -addext "keyUsage = critical, keyCertSign, cRLSign" \
      -out "$dir/ca.crt.tmp.$$"
    mv "$dir/ca.crt.tmp.$$" "$dir/ca.crt"
  fi
  printf '%s\n' "$dir/ca.key" "$dir/ca.crt"
}

cmd_server() {
  local name=$1; shift
  check_name "server name" "$name"
  local sans=()
  while (($#)); do
    case $1 in
      --dns) [[ $# -ge 2 ]] || usage; sans+=("DNS:$2"); shift 2 ;;
      --ip) [[ $# -ge 2 ]] || usage; sans+=("IP:$2"); shift 2 ;;
      *) usage ;;
    esac
  done
  ((${#sans[@]})) || die "server '$name' needs at least one --dns or --ip"
  local san_list
  san_list=$(IFS=,; echo "${sans[*]}")
  issue_leaf server "$name" serverAuth "$san_list"
}

cmd_worker() {
  check_name "worker id" "$1"
  issue_leaf worker "$1" clientAuth "URI:scalebench://workers/$1"
}

cmd_client() {
  check_name "client name" "$1"
  issue_leaf client "$1" clientAuth "URI:scalebench://clients/$1"
}

(($# >= 2)) || usage
command -v openssl >/dev/null || die "openssl is not installed"
cmd=$1 dir=$2
shift 2
if [[ ! -d "$dir" ]]; then
  mkdir -p -- "$(dirname -- "$dir")"
  mkdir -m 0700 -- "$dir"
fi
case $cmd in
  ca) (($# == 0)) || usage; cmd_ca ;;
  server) (($# >= 1)) || usage; cmd_server "$@" ;;
  worker) (($# == 1)) || usage; cmd_worker "$1" ;;
  client) (($# == 1)) || usage; cmd_client "$1" ;;
  *) usage ;;
esac
