#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and `make run`
# need. Idempotent, and quick when everything is present: apt-get (and its
# index update) runs only when a package is missing. Works as root or
# through sudo.
#
# Usage: deploy/install-deps.sh [--run] [--check]
#   --run     only what building the binaries and `make run` (native nginx
#             behind haproxy or nginx) need: no test, benchmark, Docker,
#             QEMU or browser packages.
#   --check   list missing packages and exit 1 if any, installing nothing.
set -euo pipefail

# Build: compiler, CMake, and the libraries scalebench links.
BUILD_PACKAGES=(
  g++ make cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libeigen3-dev libyaml-cpp-dev libsqlite3-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev
  libcli11-dev         # the command-line layer of every binary
  nlohmann-json3-dev   # tests parse the JSON our binaries print
  prometheus-cpp-dev   # the daemons' metrics endpoints (docs/metrics.md)
  libxen-dev           # libxlutil: the xen driver's tests parse its configs
                       # with Xen's own xl config parser
  libpcap-dev          # the balancer's host timestamps each load generator's
                       # first request (worker/observe/)
)
# Run and test: the real components the tests and `make run` start.
RUN_PACKAGES=(
  nginx          # the service under test, and a balancer
  haproxy        # the other balancer (worker/balancers/haproxy_balancer.h)
  iproute2       # ip and ss, for the network-namespace testbed
  docker.io      # the docker platform: a private dockerd per test run
                 # (deploy/docker/private-dockerd.sh), no registry
  busybox-static # the shell inside scalebench's nginx image and the
                 # qemu guests
  # The qemu platform: QEMU runs the guests; deploy/images/build-qemu-images.sh
  # packs busybox-static (its only shell and tools) and the host's nginx
  # into gzip newc archives with cpio. The guest kernel is not installed:
  # the script fetches Debian's linux-image-*-cloud-amd64 .deb with
  # `apt-get download` and unpacks it with dpkg-deb.
  qemu-system-x86
  cpio
  openssl        # deploy/pki/pki.sh: the testbed's and nested hosts' certificates
  tzdata         # /usr/share/zoneinfo: the time zones of cron schedules
                 # (common/cron.h, absl::LoadTimeZone)
  prometheus     # tests/metrics/prometheus_test.py scrapes the daemons
                 # with a real Prometheus (docs/metrics.md)
  tcpdump        # tests/testbed/clock_offset_test.py reads each load
                 # generator's true start off the testbed's bridge
)
# Benchmarks: the peer tools bench/ compares against.
BENCH_PACKAGES=(
  wrk
  apache2-utils  # ab
)

# Analysis validation: the independent statistics packages that
# tests/analysis/validate_against_statsmodels.py checks `scalebench fit` against.
ANALYSIS_PACKAGES=(python3-numpy python3-scipy python3-statsmodels)

# `scalebench report`: Chart.js, inlined into every report page, read at
# run time from /usr/share/javascript/chart.js/chart.min.js; and the
# browser its test opens the pages in (tests/report/browser_test.py).
REPORT_PACKAGES=(
  libjs-chart.js
  chromium chromium-driver python3-selenium
)

# `make run`: the quickstart measures native nginx alone and behind haproxy.
MAIN_JOB_PACKAGES=(nginx haproxy)

check=false
only_run=false
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    --run) only_run=true ;;
    *) echo "install-deps: unknown argument '$arg'; see the usage at the" \
            "top of $0" >&2
       exit 2 ;;
  esac
done

if $only_run; then
  PACKAGES=("${BUILD_PACKAGES[@]}" "${MAIN_JOB_PACKAGES[@]}")
else
  PACKAGES=("${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
            "${ANALYSIS_PACKAGES[@]}" "${REPORT_PACKAGES[@]}")
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if $check; then
  echo "missing packages: ${missing[*]}" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: need root to install: ${missing[*]}" >&2
  echo "install-deps: run as root, or install sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Daemons must not be started by the package scripts: tests start their
# own private instances on loopback. policy-rc.d is honoured by
# invoke-rc.d; it is removed again on exit.
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
  trap '"${SUDO[@]}" rm -f "$policy"' EXIT
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
fi
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
