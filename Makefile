# Convenience front-end over Meson. `make demo` and `make check` work on a fresh Debian 12 (as root,
# or with sudo): they install the Debian packages unifw needs, build, and run.
DEB_PACKAGES := busybox dash shellcheck meson ninja-build pkg-config gcc g++ clang libclang-rt-14-dev libcmocka-dev libarchive-dev \
	libext2fs-dev e2fsprogs zlib1g-dev liblzma-dev libssl-dev libpng-dev libsqlite3-dev libusb-1.0-0-dev \
	libjansson-dev \
	android-sdk-libsparse-utils libarchive-tools zip unzip xz-utils cpio python3 time \
	chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 4

.PHONY: all deps build demo check test test-unit asan fuzz-smoke bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dc_args=-Werror

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The main job on the built-in virtual phone (tools/demo.sh): start unifw-sim, identify the phone, back
# it up, check a universal ROM against it (refused, with the reasons), flash its stock package with
# read-back and show the boot verdict.
demo: build
	./tools/demo.sh $(BUILD)

test: build
	meson test -C $(BUILD) --print-errorlogs

# The unit tests of the -Werror build (check runs the end-to-end tests once, under ASan+UBSan: the same
# code with the sanitizers' checks on; `make test` runs everything on the plain build).
test-unit: build
	meson test -C $(BUILD) --print-errorlogs --suite unit

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dc_args=-Werror -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) --print-errorlogs

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false

# Each harness runs FUZZ_SECONDS seconds, seeded with the real corpus.
fuzz-smoke: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	./tests/fuzz/smoke.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Everything CI runs: the whole suite (unit + end-to-end) under ASan+UBSan in an optimised -Werror build
# (-O2 -g: GCC's flow warnings such as -Wmaybe-uninitialized only fire with optimisation), and fuzz smoke.
# The suite runs once: a second build without the sanitizers compiled the same code with the same warnings
# and ran the unit tests again, 4 of CI's 20 minutes on 2 cores for nothing more (`make test` still runs
# everything on the plain build).
check: asan fuzz-smoke

bench: build
	./bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
