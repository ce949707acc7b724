# scalebench quick start:
#   make run    build, then run the main job on the embedded default
#   make test   build, then run every test
# Both install missing Debian packages first (deploy/install-deps.sh).

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Warnings are errors in every build made through this Makefile (and so in
# CI); a direct `cmake` build leaves them as warnings.
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DSCALEBENCH_WERROR=ON

.PHONY: all deps configure build test run format clean

all: build

deps:
	@deploy/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: build
	@deploy/run-local.sh

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
