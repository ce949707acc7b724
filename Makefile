# scalebench quick start:
#   make run    build, then run the main job on the embedded default
#   make test   build, then run every test
# Both install missing Debian packages first (deploy/install-deps.sh).

BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Warnings are errors in every build made through this Makefile (and so in
# CI); a direct `cmake` build leaves them as warnings.
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DSCALEBENCH_WERROR=ON

.PHONY: all deps configure build binaries test run format clean

all: build

# Every package the tests need (docker.io, qemu, chromium, ...).
deps:
	@deploy/install-deps.sh

configure:
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

# Every binary and every test.
build: deps
	@$(MAKE) --no-print-directory configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The four binaries in build/bin/ and no test: what `make run` needs,
# after only the packages it needs.
binaries:
	@deploy/install-deps.sh --run
	@$(MAKE) --no-print-directory configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target binaries

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: binaries
	@deploy/run-local.sh

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
