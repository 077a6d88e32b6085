# SPDX-License-Identifier: GPL-3.0-or-later
# Thin wrappers around meson; see README.md.
BUILD ?= build
MESON_ARGS ?=

.PHONY: all build deps test unit run stop bench clean

all: build

# Installs what is missing (Debian packages, pidl) and builds.
build:
	@pidl=$$(./buildtools/install-deps.sh | tail -n 1) || exit 1; \
	if [ ! -f $(BUILD)/build.ninja ]; then \
		meson setup $(BUILD) -Dpidl="$$pidl" $(MESON_ARGS) || exit 1; \
	else \
		meson configure $(BUILD) -Dpidl="$$pidl" >/dev/null || exit 1; \
	fi; \
	ninja -C $(BUILD)

# Every test: cmocka units, valgrind runs, and the live-DC tests.
test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 $(TESTARGS)

# Only the tests that need no DC.
unit: build
	meson test -C $(BUILD) --print-errorlogs --suite unit $(TESTARGS)

# A throwaway AD DC with the endpoint, one exchange, then serve until ^C.
run: build
	./buildtools/run.sh $(BUILD)

stop:
	./buildtools/dc-harness.sh stop $(BUILD)/run-dc

bench: build
	./bench/run-all.sh $(BUILD)

clean:
	rm -rf $(BUILD)
