#!/usr/bin/env bash
# `make run`: the project's main job on the embedded default, as it stands.
# The load generator and the coordinator land in later changes; until then
# there is nothing to run.
echo "scalebench: nothing to run yet; the load generator comes next." >&2
echo "scalebench: 'make test' builds and runs the test suite." >&2
