# --- musl (LIBC=musl) --------------------------------------------------------------
# Included at the top of the Makefile. With LIBC=musl the build goes to build-musl (or
# build-ARCH-musl with ARCH=arm64|armhf) with gcc and musl's specs file, and the static
# libraries that tools/musl-deps.sh builds from Debian's source packages into
# $(BUILD)/deps/prefix (Debian has no musl builds of them).
#   make cross LIBC=musl [ARCH=arm64|armhf]        build the binary (fetches and builds
#                                                  the libraries the first time)
#   make check-cross LIBC=musl [ARCH=arm64|armhf]  that, its unit tests (under
#                                                  qemu-user for another ARCH) and, on
#                                                  the host's ARCH, integration suites
LIBC ?= glibc
MUSL_TRIPLET_amd64 := x86_64-linux-gnu
MUSL_TRIPLET_arm64 := aarch64-linux-gnu
MUSL_TRIPLET_armhf := arm-linux-gnueabihf
MUSL_QEMU_arm64 := qemu-aarch64-static
MUSL_QEMU_armhf := qemu-arm-static
MUSL_HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ifeq ($(LIBC),musl)
MUSL_ARCH := $(if $(ARCH),$(ARCH),$(MUSL_HOST_ARCH))
ifeq ($(MUSL_TRIPLET_$(MUSL_ARCH)),)
$(error LIBC=musl: unknown ARCH '$(ARCH)' (amd64, arm64, armhf))
endif
ifeq ($(MUSL_ARCH),$(MUSL_HOST_ARCH))
BUILD ?= build-musl
else
BUILD ?= build-$(MUSL_ARCH)-musl
CROSS_COMPILE ?= $(MUSL_TRIPLET_$(MUSL_ARCH))-
endif
MUSL_PREFIX := $(abspath $(BUILD)/deps/prefix)
# gcc with a copy of musl-dev's specs file that musl-deps.sh makes, which also knows
# -static-pie (musl-gcc's own links -static-pie binaries with the wrong start files).
ifeq ($(origin CC),default)
CC := $(MUSL_TRIPLET_$(MUSL_ARCH))-gcc -specs $(MUSL_PREFIX)/musl-gcc.specs
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
	@sh tools/musl-deps.sh ensure $(BUILD)/deps $(MUSL_ARCH)
	@$(MAKE) --no-print-directory LIBC=musl BUILD=$(BUILD) all

check-cross-musl: cross-musl
	@$(MAKE) --no-print-directory LIBC=musl BUILD=$(BUILD) unit-build-plain helpers
ifeq ($(MUSL_ARCH),$(MUSL_HOST_ARCH))
	@NS_INTEGRATION="$(MUSL_CHECK_SUITES)" sh tests/run.sh $(BUILD) unit integration
else
	@NS_RUN=$(MUSL_QEMU_$(MUSL_ARCH)) sh tests/run.sh $(BUILD) unit
endif
