# northstar: one static multicall binary (northstard, nstar, sextant, ns-init) on libns.
#
#   make            build build/northstar and the applet links in build/bin/
#   make check      every test (installs Debian packages first when some are missing)
#   make check-vm   the dm-verity and cgroup v2 tests in a qemu VM (part of check)
#   make bench      benchmarks, with their references measured in the same run
#   make soak       10 minutes of random load on northstard, then a check for leaks
#   make demo       build, pack the examples and run one through the runtime
#   make run        build, pack the examples and run northstard in the foreground with
#                   config/dev.yaml (its paths inside build/); Ctrl-C stops it
#   make examples   build the example containers and pack them into signed NPKs
#   make deps       install the Debian packages and fetch cJSON's source (as root);
#                   demo, check and bench install only the packages they use
#   make fresh-check  the README's two commands on a fresh Debian root (as root)
#   make size       stripped size of the binary (and of every other build-* tree)
#   make cross ARCH=arm64|armhf        install the cross toolchain and the target's
#                   -dev packages when missing, build build-ARCH/northstar (static)
#   make cross LIBC=musl [ARCH=arm64|armhf]  build-musl/northstar (or build-ARCH-musl),
#                   static on musl, its libraries built from Debian's sources (mk/musl.mk)
#   make check-cross ARCH=...|LIBC=musl  unit tests (under qemu-user for another ARCH),
#                   the VM suite with Debian's kernel for ARCH, musl's integration suites
#   make install    DESTDIR=... PREFIX=... INIT=systemd|sysv|none (docs/integration.md)
#   make contrib    regenerate the man pages and completions in contrib/ from the binary
#   make clean      remove build products (keeps downloaded packages in build/deps)
#
# Cross or buildroot builds: set CROSS_COMPILE or CC, PKG_CONFIG, CFLAGS, LDFLAGS; a
# plain make never calls apt-get and names any dependency it cannot find.

include mk/musl.mk
# mk/musl.mk defines targets: a plain make still builds the binary
.DEFAULT_GOAL := all

# Target: ARCH (Debian's name: arm64, armhf; empty or the host's own for a native
# build) and LIBC (glibc, or musl). Each pair builds in its own tree: build,
# build-ARCH, build-musl, build-ARCH-musl.
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
ARCH ?=
LIBC ?= glibc
ifeq ($(ARCH),$(HOST_ARCH))
override ARCH :=
endif
BUILD_TAG := $(subst $(eval) ,-,$(strip $(ARCH) $(filter musl,$(LIBC))))
BUILD ?= build$(if $(BUILD_TAG),-$(BUILD_TAG))
HOST_BUILD ?= build
# One spelling of a build tree inside the checkout: a make given BUILD=$PWD/build (the
# tests run make so) must name objects, and the header dependencies in their .d files,
# as a plain make does; otherwise each misses the other's and keeps stale objects.
override BUILD := $(patsubst $(CURDIR)/%,%,$(BUILD))
override HOST_BUILD := $(patsubst $(CURDIR)/%,%,$(HOST_BUILD))
ifneq ($(ARCH),)
TRIPLET := $(shell sh tools/cross-deps.sh triplet $(ARCH) 2>/dev/null)
ifeq ($(TRIPLET),)
$(error ARCH=$(ARCH): cross builds know arm64 and armhf)
endif
ifeq ($(LIBC),glibc)
CROSS_COMPILE ?= $(TRIPLET)-
# The target's .pc files from multiarch, none of the host's.
PKG_CONFIG ?= env PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
endif
endif
V ?= 0
ifeq ($(V),0)
Q := @
SAY = printf '  %-7s %s\n' $(1) $(2);
else
Q :=
SAY =
endif
PREFIX ?= /usr
DESTDIR ?=
CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
STRIP ?= $(CROSS_COMPILE)strip
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
FUZZ_CC ?= clang

APPLETS := northstard nstar sextant ns-init

# Link mode: static-pie keeps ASLR; toolchains without rcrt1.o (or -static-pie) get
# "static", found by linking a probe; "dynamic" only for a build host's sextant
# (buildroot's host libraries are shared ones). Every other link is checked to be static.
ifeq ($(origin LINK),undefined)
LINK := $(shell sh tools/linkprobe.sh $(CC) $(LDFLAGS) 2>/dev/null || echo static)
endif
LINK_FLAG = $(if $(filter dynamic,$(LINK)),,-$(LINK))
STATIC_CHECK = $(if $(filter dynamic,$(LINK)),true,sh tools/linkprobe.sh --check $@)

# WERROR= drops -Werror (buildroot does: a newer compiler's new warning must not fail an
# image build).
WERROR ?= -Werror
WARN := -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-format-truncation
CFLAGS ?= -O2 -g
# A _FORTIFY_SOURCE level in CFLAGS (buildroot's BR2_FORTIFY_SOURCE_N) wins over ours: the
# two definitions would be a "redefined" error under -Werror.
FORTIFY := $(if $(filter -D_FORTIFY_SOURCE%,$(CFLAGS)),,-D_FORTIFY_SOURCE=2)
# 64-bit off_t and time_t on every target (32-bit armhf included; no-ops on 64-bit).
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. $(WARN) -fPIE -fstack-protector-strong \
	$(FORTIFY) -fno-strict-aliasing -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp libcap yaml-0.1 libsodium zlib 2>/dev/null)

# cJSON: Debian ships no static library, so it is compiled from Debian's source
# package fetched into $(BUILD)/deps by 'make deps'. CJSON_DIR can point elsewhere.
# USE_SYSTEM_CJSON=1 links an installed libcjson instead (buildroot's cjson package:
# <cjson/cJSON.h>, libcjson.pc), with CJSON_CFLAGS and CJSON_LIBS from pkg-config.
USE_SYSTEM_CJSON ?= 0
# An absolute path: the flags (and so the objects) stay the same whether BUILD is given as
# build or as /path/to/build (the integration tests run make with the latter).
CJSON_DIR ?= $(firstword $(foreach d,$(wildcard $(BUILD)/deps/cjson-*/ \
	$(HOST_BUILD)/deps/cjson-*/),$(abspath $(d))/))
CJSON_SRC_CFLAGS := -I$(CJSON_DIR)
ifeq ($(USE_SYSTEM_CJSON),1)
ifeq ($(origin CJSON_CFLAGS),undefined)
CJSON_CFLAGS := $(or $(shell $(PKG_CONFIG) --cflags libcjson 2>/dev/null),-I=/usr/include/cjson)
endif
ifeq ($(origin CJSON_LIBS),undefined)
CJSON_LIBS := $(or $(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null),-lcjson)
endif
CJSON_OBJ :=
else
CJSON_CFLAGS := $(CJSON_SRC_CFLAGS)
CJSON_LIBS :=
CJSON_OBJ := $(BUILD)/obj/cjson/cJSON.o
endif
DEP_LIBS ?= $(CJSON_LIBS) -lseccomp -lcap -lmbedcrypto -lyaml -lsodium -lz -lm

ALL_CFLAGS = $(BASE_CFLAGS) $(CJSON_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)

# Every object depends on $(BUILD)/flags, rewritten only when the compiler or a flag
# changes: a new CFLAGS (or CC, LINK ...) rebuilds everything, an unchanged one nothing.
FLAGS_FILE := $(BUILD)/flags
FLAGS_LINE := $(CC) | $(ALL_CFLAGS) | $(LDFLAGS) | $(LINK) | $(DEP_LIBS) | $(FUZZ_CC)
ifneq ($(FLAGS_LINE),$(file <$(FLAGS_FILE)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_FILE),$(FLAGS_LINE))
endif

LIBNS_SRC := $(sort $(wildcard libns/*.c))
APPLET_SRC := $(sort $(wildcard applets/*.c applets/*/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_LIB_SRC := tests/unit/testlib.c
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))

OBJ := $(BUILD)/obj
LIBNS_OBJ := $(LIBNS_SRC:%.c=$(OBJ)/%.o) $(CJSON_OBJ)
APPLET_OBJ := $(APPLET_SRC:%.c=$(OBJ)/%.o)

BIN := $(BUILD)/northstar

# Keep object files that only feed a test or fuzz binary: deleting them as
# intermediates would force a rebuild on every run.
.SECONDARY:

.PHONY: all check check-unit check-vm bench demo deps size clean distclean \
	format fuzz-build helpers unit-build FORCE
all: $(BIN) $(addprefix $(BUILD)/bin/,$(APPLETS))

# --- dependency check (never installs anything) ---------------------------------
$(BUILD)/deps.ok: tools/checkdeps.sh $(FLAGS_FILE)
	@mkdir -p $(BUILD)
	@CC="$(CC)" CFLAGS="$(PKG_CFLAGS) $(CJSON_CFLAGS) $(CFLAGS)" LDFLAGS="$(LDFLAGS)" \
		LINK_FLAG="$(LINK_FLAG)" CJSON_DIR="$(CJSON_DIR)" CJSON_LIBS="$(CJSON_LIBS)" \
		USE_SYSTEM_CJSON="$(USE_SYSTEM_CJSON)" sh tools/checkdeps.sh && touch $@

# --- the binary ----------------------------------------------------------------
$(OBJ)/%.o: %.c $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/cjson/cJSON.o: $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) -std=gnu11 -fPIE $(CFLAGS) -c $(CJSON_DIR)/cJSON.c -o $@

$(BUILD)/libns.a: $(LIBNS_OBJ)
	@rm -f $@
	$(Q)$(call SAY,AR,$@)$(AR) rcs $@ $^

$(BIN): $(APPLET_OBJ) $(BUILD)/libns.a
	$(Q)$(call SAY,CC,$@)$(CC) $(LINK_FLAG) $(LDFLAGS) -o $@ $(APPLET_OBJ) $(BUILD)/libns.a $(DEP_LIBS)
	$(Q)$(STATIC_CHECK)

$(BUILD)/bin/%: $(BIN)
	@mkdir -p $(dir $@)
	@ln -sf ../northstar $@

# --- unit tests: plain, and with ASan+UBSan -------------------------------------
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
ASAN_DIR := $(BUILD)/asan
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_LIBNS_OBJ := $(LIBNS_SRC:%.c=$(ASAN_DIR)/obj/%.o) $(ASAN_DIR)/obj/cjson/cJSON.o
ASAN_UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(ASAN_DIR)/tests/unit/%)
UNIT_LIBS := $(DEP_LIBS)
# Cross unit tests run under qemu-user, which finds no target loader: link them static.
UNIT_LINK := $(if $(ARCH),-static)

$(BUILD)/tests/unit/%: $(OBJ)/tests/unit/%.o $(OBJ)/tests/unit/testlib.o $(BUILD)/libns.a
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(UNIT_LINK) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

$(ASAN_DIR)/obj/%.o: %.c $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -O1 -MMD -MP -c $< -o $@

$(ASAN_DIR)/obj/cjson/cJSON.o: $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) -std=gnu11 -fPIE -O1 -g $(ASAN_FLAGS) -c $(CJSON_DIR)/cJSON.c -o $@

$(ASAN_DIR)/libns.a: $(ASAN_LIBNS_OBJ)
	@rm -f $@
	$(Q)$(call SAY,AR,$@)$(AR) rcs $@ $^

$(ASAN_DIR)/tests/unit/%: $(ASAN_DIR)/obj/tests/unit/%.o $(ASAN_DIR)/obj/tests/unit/testlib.o \
		$(ASAN_DIR)/libns.a
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(ASAN_FLAGS) -o $@ $^ $(UNIT_LIBS)

unit-build: $(UNIT_BIN) $(ASAN_UNIT_BIN)
unit-build-plain: $(UNIT_BIN)

# --- test helpers (small programs used by integration tests) --------------------
HELPER_BIN := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/helpers/%)
$(BUILD)/tests/helpers/%: $(OBJ)/tests/helpers/%.o $(BUILD)/libns.a
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(LINK_FLAG) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)
	$(Q)$(STATIC_CHECK)
helpers: $(HELPER_BIN)

# --- fuzz targets (clang libFuzzer), make fuzz: mk/fuzz.mk ------------------------
include mk/fuzz.mk

# --- test entry points -----------------------------------------------------------
deps:
	sh tools/deps.sh install $(BUILD)/deps

check:
	@sh tools/deps.sh ensure $(BUILD)/deps check
	@$(MAKE) --no-print-directory all unit-build helpers fuzz-build
	@sh tests/run.sh $(BUILD)

check-unit: all unit-build
	@sh tests/run.sh $(BUILD) unit

check-vm:
	@sh tools/deps.sh ensure $(BUILD)/deps check
	@$(MAKE) --no-print-directory all helpers
	@sh tests/run.sh $(BUILD) vm

bench:
	@sh tools/deps.sh ensure $(BUILD)/deps bench
	@$(MAKE) --no-print-directory all helpers
	@sh bench/run.sh $(BUILD)

demo:
	@sh tools/deps.sh ensure $(BUILD)/deps demo
	@$(MAKE) --no-print-directory examples
	@sh examples/demo.sh $(BUILD)

# make run: northstard in the foreground, as the README's "Run it yourself" uses it. It
# starts in RUN_DIR (the build tree), where config/dev.yaml's relative paths lead; exec
# leaves it alone in the foreground, so Ctrl-C reaches it and it shuts down in order.
RUN_DIR ?= $(BUILD)
.PHONY: run
run:
	@[ "$$(id -u)" = 0 ] || { echo "make run: northstard needs root (namespaces, mounts, loop devices): run it as root" >&2; exit 1; }
	@sh tools/deps.sh ensure $(BUILD)/deps demo
	@$(MAKE) --no-print-directory all examples-build
	@# Packing all examples takes a while: only when something changed since the last time.
	@if [ ! -d $(BUILD)/examples/npk ] || [ -n "$$(find examples $(BUILD)/examples/bin \
		$(BIN) -newer $(BUILD)/examples/npk -print 2>/dev/null | head -n 1)" ]; then \
		sh examples/pack.sh $(BUILD); fi
	@# A second runtime would take the console's address from the first one.
	@if $(BIN) nstar -u unix:///run/northstar/console ident >/dev/null 2>&1; then \
		echo "make run: a runtime already listens on unix:///run/northstar/console (another make run, or an installed northstard): stop it first with 'nstar -u unix:///run/northstar/console shutdown'" >&2; \
		exit 1; fi
	@# the console's directory (the bind of config/dev.yaml) and the repositories'
	@mkdir -p /run/northstar $(RUN_DIR)/run/repository/examples $(RUN_DIR)/run/repository/mine
	@echo "make run: northstard -c config/dev.yaml in $(RUN_DIR); Ctrl-C stops it"
	@cd $(RUN_DIR) && exec $(abspath $(BUILD))/northstar northstard -c $(CURDIR)/config/dev.yaml

# A fresh Debian root with this checkout's HEAD under /root: make demo, then make check
# (tools/fresh-check.sh; FRESH_ARGS=--keep or --demo-only).
.PHONY: fresh-check
fresh-check:
	@sh tools/fresh-check.sh $(FRESH_ARGS)

.PHONY: soak
soak:
	@sh tools/deps.sh ensure $(BUILD)/deps check
	@$(MAKE) --no-print-directory examples helpers
	@NS_BUILD=$$(cd $(BUILD) && pwd) NS_BIN=$$(cd $(BUILD) && pwd)/northstar \
		sh tests/soak/run.sh $${NS_SOAK_SECONDS:-600}

# The stripped size of this build, and of every other target built beside it
# (build-ARCH, build-musl, build-ARCH-musl), each stripped by its own toolchain.
size: $(BIN)
	@$(STRIP) -o $(BUILD)/northstar.stripped $(BIN)
	@stat -c '%s bytes  $(BUILD)/northstar (stripped)' $(BUILD)/northstar.stripped
	@for b in $(filter-out $(BUILD),$(wildcard build build-*)); do \
		[ -f $$b/northstar ] || continue; \
		t=$${b#build}; t=$${t#-}; a=$${t%-musl}; [ "$$a" = musl ] && a=; l=glibc; \
		case $$t in *musl) l=musl;; esac; \
		$(MAKE) --no-print-directory -s ARCH=$$a LIBC=$$l BUILD=$$b size-one || true; \
	done
size-one:
	@$(STRIP) -o $(BUILD)/northstar.stripped $(BIN)
	@stat -c '%s bytes  $(BUILD)/northstar (stripped)' $(BUILD)/northstar.stripped

# --- cross builds: make cross ARCH=arm64|armhf (installs what it needs, like make deps),
# make check-cross ARCH=... (unit tests under qemu-user, the VM suite under qemu-system).
.PHONY: cross check-cross size-one unit-build-plain
cross:
ifeq ($(LIBC),musl)
	@$(MAKE) --no-print-directory cross-musl
else
	@[ -n "$(ARCH)" ] || { echo "make cross: set ARCH=arm64 or ARCH=armhf, or LIBC=musl" >&2; exit 2; }
	@sh tools/deps.sh ensure $(HOST_BUILD)/deps
	@sh tools/cross-deps.sh ensure $(ARCH)
	@$(MAKE) --no-print-directory all
endif

check-cross:
ifeq ($(LIBC),musl)
	@$(MAKE) --no-print-directory check-cross-musl
else
	@$(MAKE) --no-print-directory cross
	@$(MAKE) --no-print-directory unit-build-plain helpers
	@$(MAKE) --no-print-directory ARCH= LIBC=glibc BUILD=$(HOST_BUILD) CC=gcc all
	@NS_RUN="$$(sh tools/cross-deps.sh qemu $(ARCH))" NS_QEMU_USER=1 VM_ARCH=$(ARCH) NS_VM_TIMEOUT=$${NS_VM_TIMEOUT:-900} \
		NS_HOST_BIN=$(abspath $(HOST_BUILD))/northstar sh tests/run.sh $(BUILD) unit vm
endif

# --- install ----------------------------------------------------------------------
# The binary stripped in bin/ (STRIP=/bin/true keeps it as built, as buildroot does
# without BR2_STRIP_strip), the clients' links beside it, the daemon and ns-init in sbin/,
# man pages, nstar's completions, a sample configuration (never over an existing one) and
# the service files of INIT (systemd, sysv, both or none). The man pages and completions
# come from contrib/ ('make contrib' regenerates them from the binary), so that a cross
# build, whose binary cannot run here, installs them too.
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
BINDIR = $(PREFIX)/bin
SBINDIR = $(PREFIX)/sbin
MANDIR = $(PREFIX)/share/man
INIT ?= systemd
INSTALL_APPLETS ?= $(APPLETS)
INITSCRIPT ?= S60northstard
SERVICE_SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

.PHONY: install install-bin install-data install-systemd install-sysv install-none contrib
install: install-bin install-data $(addprefix install-,$(INIT))

install-bin: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/northstar
	$(STRIP) $(DESTDIR)$(BINDIR)/northstar
	for a in $(filter nstar sextant,$(INSTALL_APPLETS)); do \
		ln -sf northstar $(DESTDIR)$(BINDIR)/$$a; done
	for a in $(filter northstard ns-init,$(INSTALL_APPLETS)); do \
		ln -sf ../bin/northstar $(DESTDIR)$(SBINDIR)/$$a; done

install-data:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/northstar
ifneq ($(filter nstar,$(INSTALL_APPLETS)),)
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
endif
	for a in $(INSTALL_APPLETS); do for m in contrib/man/$$a.[18]; do \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done; done
ifneq ($(filter nstar,$(INSTALL_APPLETS)),)
	install -m 0644 contrib/completion/nstar.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/nstar
	install -m 0644 contrib/completion/_nstar $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_nstar
	install -m 0644 contrib/completion/nstar.fish \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/nstar.fish
endif
	[ -e $(DESTDIR)$(SYSCONFDIR)/northstar/northstar.yaml ] || \
		install -m 0644 config/northstar.yaml $(DESTDIR)$(SYSCONFDIR)/northstar/northstar.yaml

install-systemd:
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	$(SERVICE_SUBST) contrib/systemd/northstard.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/system/northstard.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/northstard.service

install-sysv:
	install -d $(DESTDIR)$(SYSCONFDIR)/init.d
	$(SERVICE_SUBST) contrib/init.d/northstard >$(DESTDIR)$(SYSCONFDIR)/init.d/$(INITSCRIPT)
	chmod 0755 $(DESTDIR)$(SYSCONFDIR)/init.d/$(INITSCRIPT)

install-none:

contrib: all
	sh tools/gen-contrib.sh $(BUILD)/bin contrib

format:
	clang-format -i $(LIBNS_SRC) $(wildcard libns/*.h) $(APPLET_SRC) $(wildcard applets/*.h \
		applets/*/*.h) $(wildcard tests/*/*.c tests/*/*.h examples/*/*.c bench/*.c)

clean:
	$(Q)find $(BUILD) -mindepth 1 -maxdepth 1 ! -name deps ! -name vm-cache \
		-exec rm -rf {} + 2>/dev/null || true

distclean:
	rm -rf $(BUILD)

# --- examples: examples/<name>/*.c -> $(BUILD)/examples/bin/<name>, packed into signed
# NPKs in $(BUILD)/examples/npk by examples/pack.sh (which also makes the signing key).
EXAMPLE_NAMES := $(patsubst examples/%/main.c,%,$(sort $(wildcard examples/*/main.c)))
EXAMPLE_BIN := $(EXAMPLE_NAMES:%=$(BUILD)/examples/bin/%)
EXAMPLE_LIB := $(BUILD)/examples/libexample.a
$(EXAMPLE_LIB): $(patsubst %.c,$(OBJ)/%.o,$(sort $(wildcard examples/common/*.c)))
	@mkdir -p $(dir $@)
	@rm -f $@
	$(Q)$(call SAY,AR,$@)$(AR) rcs $@ $^
define example_rule
$(BUILD)/examples/bin/$(1): $(patsubst %.c,$(OBJ)/%.o,$(sort $(wildcard examples/$(1)/*.c))) \
		$(EXAMPLE_LIB) $(BUILD)/libns.a
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call SAY,CC,$$@)$$(CC) $$(LINK_FLAG) $$(LDFLAGS) -o $$@ $$^ $$(DEP_LIBS)
	$$(Q)$$(STATIC_CHECK)
endef
$(foreach n,$(EXAMPLE_NAMES),$(eval $(call example_rule,$(n))))
.PHONY: examples examples-build
examples-build: $(EXAMPLE_BIN)
# A cross build packs with the host's sextant ($(HOST_BUILD)/northstar): the target's
# cannot run here.
ifneq ($(ARCH),)
examples: all examples-build
	@$(MAKE) --no-print-directory ARCH= LIBC=glibc BUILD=$(HOST_BUILD) CC=gcc all
	@NS_SEXTANT=$(abspath $(HOST_BUILD))/northstar STRIP=$(STRIP) sh examples/pack.sh $(BUILD)
else
examples: all examples-build
	@sh examples/pack.sh $(BUILD)
endif

# ($(BUILD)/deps holds library sources, with directories named *.d)
-include $(shell find $(BUILD) -path $(BUILD)/deps -prune -o -name '*.d' -type f -print 2>/dev/null)
