# --- musl (LIBC=musl) --------------------------------------------------------------
# Included at the top of the Makefile. With LIBC=musl the build goes to build-musl with
# musl-gcc and the static libraries that tools/musl-deps.sh builds from Debian's source
# packages into $(BUILD)/deps/prefix (Debian has no musl builds of them).
#   make cross LIBC=musl        build-musl/northstar (fetches and builds the libraries)
#   make check-cross LIBC=musl  that, its unit tests and integration suites on it
LIBC ?= glibc
ifeq ($(LIBC),musl)
BUILD ?= build-musl
MUSL_PREFIX := $(abspath $(BUILD)/deps/prefix)
# gcc with musl-gcc's specs file, in the copy musl-deps.sh makes that also knows
# -static-pie (musl-gcc's own links -static-pie binaries with the wrong start files).
ifeq ($(origin CC),default)
CC := gcc -specs $(MUSL_PREFIX)/musl-gcc.specs
endif
# Nothing from the host's pkg-config: the headers come from the musl prefix.
PKG_CONFIG := true
CFLAGS ?= -O2 -g
# -isystem: warnings inside library and kernel headers are not ours (the kernel's
# linux/limits.h redefines musl's NGROUPS_MAX).
override CFLAGS += -isystem $(MUSL_PREFIX)/include
# Unit tests and helpers are static too: the host has no musl dynamic libraries.
override LDFLAGS += -L$(MUSL_PREFIX)/lib -static
endif

# Integration suites run on the musl binary by check-cross (the whole list takes
# as long as make check; these cover the daemon, the client, the NPK tool and ns-init).
MUSL_CHECK_SUITES ?= multicall sextant nstar daemon_basic daemon_lifecycle daemon_mounts \
	daemon_isolation daemon_repo console_spec squashfs rootfs sec_defaults

.PHONY: cross-musl check-cross-musl unit-build-plain
cross-musl:
	@sh tools/musl-deps.sh ensure $(BUILD)/deps
	@$(MAKE) --no-print-directory LIBC=musl BUILD=$(BUILD) all

check-cross-musl: cross-musl
	@$(MAKE) --no-print-directory LIBC=musl BUILD=$(BUILD) unit-build-plain helpers
	@NS_INTEGRATION="$(MUSL_CHECK_SUITES)" sh tests/run.sh $(BUILD) unit integration
