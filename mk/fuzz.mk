# --- fuzz targets (clang libFuzzer) ----------------------------------------------
# Every sanitizer finding stops the run: -fno-sanitize-recover=all makes UBSan abort
# like ASan does, so undefined behaviour that does not go on to crash is still saved
# as a crash-* file and fails the run.
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS := -fsanitize=fuzzer-no-link $(FUZZ_SAN) -fno-omit-frame-pointer -g -O1
FUZZ_LIBNS_OBJ := $(LIBNS_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/cjson/cJSON.o
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
# Rewritten when the fuzz flags change, so that a tree built with older ones rebuilds.
FUZZ_FLAGS_FILE := $(FUZZ_DIR)/flags
ifneq ($(FUZZ_FLAGS),$(file <$(FUZZ_FLAGS_FILE)))
$(shell mkdir -p $(FUZZ_DIR))
$(file >$(FUZZ_FLAGS_FILE),$(FUZZ_FLAGS))
endif

$(FUZZ_DIR)/obj/%.o: %.c $(BUILD)/deps.ok $(FUZZ_FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CLANG,$@)$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -I. $(CJSON_SRC_CFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) \
		-MMD -MP -c $< -o $@
$(FUZZ_DIR)/obj/cjson/cJSON.o: $(BUILD)/deps.ok $(FUZZ_FLAGS_FILE)
	@mkdir -p $(dir $@)
	$(Q)$(call SAY,CLANG,$@)$(FUZZ_CC) -std=gnu11 $(FUZZ_FLAGS) -c $(CJSON_DIR)/cJSON.c -o $@
$(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_LIBNS_OBJ)
	$(Q)$(call SAY,CLANG,$@)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(DEP_LIBS)
fuzz-build: $(FUZZ_BIN)

# make fuzz: every target for FUZZ_SECONDS (default 180) with FUZZ_JOBS workers (default
# every core), from the committed corpus plus the seeds tests/fuzz/seeds.sh generates.
# The grown corpus stays in $(BUILD)/fuzz-corpus, findings go to
# $(BUILD)/fuzz-findings/TARGET/ and fail the run; FUZZ_TARGETS="fuzz_npk ..." picks
# some. The markdown table of the run is printed and kept in $(BUILD)/fuzz-report.md.
FUZZ_SECONDS ?= 180
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_TARGETS ?=
.PHONY: fuzz
fuzz:
	@sh tools/deps.sh ensure $(BUILD)/deps check
	@$(MAKE) --no-print-directory all fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
		sh tests/fuzz/campaign.sh $(BUILD)
