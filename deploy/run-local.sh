#!/usr/bin/env bash
# `make run`: the project's main job on the embedded default: the
# quickstart sweep through `scalebench run`, a coordinator and a worker in
# one process on this machine, with the store in ./scalebench-data/. It
# prints the progress, then the results table and the model fits.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/build/bin/scalebench" run "$top/examples/quickstart.yaml" "$@"
