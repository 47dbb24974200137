# northstar: one static multicall binary (northstard, nstar, sextant, ns-init) on libns.
#
#   make            build build/northstar and the applet links in build/bin/
#   make check      every test (installs Debian packages first when some are missing)
#   make check-vm   the dm-verity and cgroup v2 tests in a qemu VM (part of check)
#   make bench      benchmarks, with their references measured in the same run
#   make soak       10 minutes of random load on northstard, then a check for leaks
#   make demo       build, pack the examples and run one through the runtime
#   make examples   build the example containers and pack them into signed NPKs
#   make deps       install the Debian packages and fetch cJSON's source (as root)
#   make size       stripped size of the binary (and of the musl builds that exist)
#   make cross LIBC=musl [ARCH=arm64|armhf]        build-musl/northstar (or
#                   build-ARCH-musl), static on musl (mk/musl.mk)
#   make check-cross LIBC=musl [ARCH=arm64|armhf]  that and its tests
#   make install    DESTDIR=... PREFIX=... (binary and applet links)
#   make clean      remove build products (keeps downloaded packages in build/deps)
#
# Cross or buildroot builds: set CROSS_COMPILE or CC, PKG_CONFIG, CFLAGS, LDFLAGS; a
# plain make never calls apt-get and names any dependency it cannot find.

include mk/musl.mk
BUILD ?= build
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
STRIP ?= $(CROSS_COMPILE)strip
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
FUZZ_CC ?= clang

APPLETS := northstard nstar sextant ns-init

# Link mode: static-pie keeps ASLR; "static" for toolchains without rcrt1.o.
LINK ?= static-pie

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-format-truncation
CFLAGS ?= -O2 -g
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. $(WARN) -fPIE -fstack-protector-strong \
	-D_FORTIFY_SOURCE=2 -fno-strict-aliasing
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp libcap yaml-0.1 libsodium zlib 2>/dev/null)
DEP_LIBS ?= -lseccomp -lcap -lmbedcrypto -lyaml -lsodium -lz -lm

# cJSON: Debian ships no static library, so it is compiled from Debian's source
# package fetched into $(BUILD)/deps by 'make deps'. CJSON_DIR can point elsewhere.
CJSON_DIR ?= $(firstword $(wildcard $(BUILD)/deps/cjson-*/))
CJSON_CFLAGS := -I$(CJSON_DIR)

ALL_CFLAGS = $(BASE_CFLAGS) $(CJSON_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)

LIBNS_SRC := $(sort $(wildcard libns/*.c))
APPLET_SRC := $(sort $(wildcard applets/*.c applets/*/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_LIB_SRC := tests/unit/testlib.c
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HELPER_SRC := $(sort $(wildcard tests/helpers/*.c))

OBJ := $(BUILD)/obj
LIBNS_OBJ := $(LIBNS_SRC:%.c=$(OBJ)/%.o) $(OBJ)/cjson/cJSON.o
APPLET_OBJ := $(APPLET_SRC:%.c=$(OBJ)/%.o)

BIN := $(BUILD)/northstar

# Keep object files that only feed a test or fuzz binary: deleting them as
# intermediates would force a rebuild on every run.
.SECONDARY:

.PHONY: all check check-unit check-vm bench demo deps size install clean distclean \
	format fuzz-build helpers unit-build FORCE
all: $(BIN) $(addprefix $(BUILD)/bin/,$(APPLETS))

# --- dependency check (never installs anything) ---------------------------------
$(BUILD)/deps.ok: tools/checkdeps.sh
	@mkdir -p $(BUILD)
	@CC="$(CC)" CFLAGS="$(PKG_CFLAGS) $(CFLAGS)" LDFLAGS="$(LDFLAGS)" DEP_LIBS="$(DEP_LIBS)" \
		CJSON_DIR="$(CJSON_DIR)" sh tools/checkdeps.sh && touch $@

# --- the binary ----------------------------------------------------------------
$(OBJ)/%.o: %.c $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/cjson/cJSON.o: $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) -std=gnu11 -fPIE $(CFLAGS) -c $(CJSON_DIR)/cJSON.c -o $@

$(BUILD)/libns.a: $(LIBNS_OBJ)
	@rm -f $@
	$(Q)$(call SAY,AR,$@)$(CROSS_COMPILE)ar rcs $@ $^

$(BIN): $(APPLET_OBJ) $(BUILD)/libns.a
	$(Q)$(call SAY,CC,$@)$(CC) -$(LINK) $(LDFLAGS) -o $@ $(APPLET_OBJ) $(BUILD)/libns.a $(DEP_LIBS)

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

$(BUILD)/tests/unit/%: $(OBJ)/tests/unit/%.o $(OBJ)/tests/unit/testlib.o $(BUILD)/libns.a
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

$(ASAN_DIR)/obj/%.o: %.c $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -O1 -MMD -MP -c $< -o $@

$(ASAN_DIR)/obj/cjson/cJSON.o: $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CC,$@)$(CC) -std=gnu11 -fPIE -O1 -g $(ASAN_FLAGS) -c $(CJSON_DIR)/cJSON.c -o $@

$(ASAN_DIR)/libns.a: $(ASAN_LIBNS_OBJ)
	@rm -f $@
	$(Q)$(call SAY,AR,$@)$(CROSS_COMPILE)ar rcs $@ $^

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
	$(Q)$(call SAY,CC,$@)$(CC) -$(LINK) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)
helpers: $(HELPER_BIN)

# --- fuzz targets (clang libFuzzer) ----------------------------------------------
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g -O1
FUZZ_LIBNS_OBJ := $(LIBNS_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/cjson/cJSON.o
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)

$(FUZZ_DIR)/obj/%.o: %.c $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CLANG,$@)$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(CJSON_CFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) \
		-MMD -MP -c $< -o $@
$(FUZZ_DIR)/obj/cjson/cJSON.o: $(BUILD)/deps.ok
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CLANG,$@)$(FUZZ_CC) -std=gnu11 $(FUZZ_FLAGS) -c $(CJSON_DIR)/cJSON.c -o $@
$(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_LIBNS_OBJ)
	$(Q)$(call SAY,CLANG,$@)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(DEP_LIBS)
fuzz-build: $(FUZZ_BIN)

# --- test entry points -----------------------------------------------------------
deps:
	sh tools/deps.sh install $(BUILD)/deps

check:
	@sh tools/deps.sh ensure $(BUILD)/deps
	@$(MAKE) --no-print-directory all unit-build helpers fuzz-build
	@sh tests/run.sh $(BUILD)

check-unit: all unit-build
	@sh tests/run.sh $(BUILD) unit

check-vm:
	@sh tools/deps.sh ensure $(BUILD)/deps
	@$(MAKE) --no-print-directory all helpers
	@sh tests/run.sh $(BUILD) vm

bench:
	@sh tools/deps.sh ensure $(BUILD)/deps
	@$(MAKE) --no-print-directory all helpers
	@sh bench/run.sh $(BUILD)

demo:
	@sh tools/deps.sh ensure $(BUILD)/deps
	@$(MAKE) --no-print-directory examples
	@sh examples/demo.sh $(BUILD)

.PHONY: soak
soak:
	@sh tools/deps.sh ensure $(BUILD)/deps
	@$(MAKE) --no-print-directory examples helpers
	@NS_BUILD=$$(cd $(BUILD) && pwd) NS_BIN=$$(cd $(BUILD) && pwd)/northstar \
		sh tests/soak/run.sh $${NS_SOAK_SECONDS:-600}

size: $(BIN)
	@$(STRIP) -o $(BUILD)/northstar.stripped $(BIN)
	@stat -c '%s bytes  $(BUILD)/northstar (stripped)' $(BUILD)/northstar.stripped
	@$(MAKE) --no-print-directory size-musl

# --- cross builds: LIBC=musl (mk/musl.mk) ------------------------------------------
.PHONY: cross check-cross
cross:
ifeq ($(LIBC),musl)
	@$(MAKE) --no-print-directory cross-musl
else
	@echo "make cross: LIBC=musl is the build this Makefile knows" >&2; exit 2
endif
check-cross:
ifeq ($(LIBC),musl)
	@$(MAKE) --no-print-directory check-cross-musl
else
	@echo "make check-cross: LIBC=musl is the build this Makefile knows" >&2; exit 2
endif

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/northstar
	for a in $(APPLETS); do ln -sf northstar $(DESTDIR)$(PREFIX)/bin/$$a; done

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
	$(Q)$(call SAY,AR,$@)$(CROSS_COMPILE)ar rcs $@ $^
define example_rule
$(BUILD)/examples/bin/$(1): $(patsubst %.c,$(OBJ)/%.o,$(sort $(wildcard examples/$(1)/*.c))) \
		$(EXAMPLE_LIB) $(BUILD)/libns.a
	@mkdir -p $$(dir $$@)
	$$(Q)$$(call SAY,CC,$$@)$$(CC) -$$(LINK) $$(LDFLAGS) -o $$@ $$^ $$(DEP_LIBS)
endef
$(foreach n,$(EXAMPLE_NAMES),$(eval $(call example_rule,$(n))))
.PHONY: examples examples-build
examples-build: $(EXAMPLE_BIN)
examples: all examples-build
	@sh examples/pack.sh $(BUILD)

# ($(BUILD)/deps holds library sources, with directories named *.d)
-include $(shell find $(BUILD) -path $(BUILD)/deps -prune -o -name '*.d' -type f -print 2>/dev/null)
