# libFuzzer targets over the real host code (included by the Makefile).
#
#   make fuzz                 each target FUZZ_SECONDS (60) seconds
#   make fuzz-short           each target FUZZ_SHORT_SECONDS (3) seconds;
#                             part of `make test`
#   make fuzz-build           just build them (build/fuzz/fuzz_*)
#   make fuzz-seeds           regenerate tests/fuzz/corpus/ (make_seeds.c)
#   FUZZ_TARGETS="fuzz_gpadl" limits a run to some targets
#
# The host sources are compiled once more with clang and
# -fsanitize=fuzzer-no-link,address,undefined into build/fuzz/obj/ (the
# sanitized unit-test objects in build/san lack the coverage hooks).
# Runs start from a scratch copy of the checked-in corpus under
# build/fuzz/; crashing inputs are kept in build/fuzz/artifacts/.

FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SHORT_SECONDS ?= 3
FUZZ_DIR           := $(BUILD)/fuzz
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all
# -fno-builtin-mem*: keep memcpy(&msg, payload, sizeof(msg)) a real call
# that ASan checks in full.  As a builtin, -O1 shrinks it to the loads of
# the fields used afterwards, and a copy reading past a short guest buffer
# goes unseen.
FUZZ_OPT           ?= -O1
FUZZ_CFLAGS        := -std=gnu11 $(FUZZ_OPT) -g $(WARN) -I. -D_GNU_SOURCE \
                      -MMD -MP $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                      -fno-builtin-memcpy -fno-builtin-memmove \
                      -fno-builtin-memset -fno-omit-frame-pointer

FUZZ_SRCS     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_ALL      := $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_BINS     := $(FUZZ_ALL:%=$(FUZZ_DIR)/%)
FUZZ_HOST_OBJS := $(HOST_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_LIB      := $(FUZZ_DIR)/libkvmbus-fuzz.a

.PHONY: fuzz fuzz-short fuzz-build fuzz-seeds
# The targets' own objects are not intermediates to delete.
.SECONDARY: $(FUZZ_ALL:%=$(FUZZ_DIR)/obj/tests/fuzz/%.o)

TEST_EXTRA += fuzz-short

# Objects follow the compiler flags too (FUZZ_OPT=-O0 rebuilds them):
# the stamp is rewritten, at parse time, only when the flags changed.
ifneq ($(filter fuzz%,$(MAKECMDGOALS)),)
FUZZ_FLAGS_NOW := $(FUZZ_CC) $(FUZZ_CFLAGS)
$(shell mkdir -p $(FUZZ_DIR) && \
	{ echo '$(FUZZ_FLAGS_NOW)' | cmp -s - $(FUZZ_DIR)/.cflags || \
	  echo '$(FUZZ_FLAGS_NOW)' > $(FUZZ_DIR)/.cflags; })
endif
$(FUZZ_DIR)/.cflags:
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_DIR)/.cflags
	@mkdir -p $(@D)
	@echo "  CC-FUZZ $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_HOST_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	@echo "  LD-FUZZ $@"
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(HOST_LIBS)

$(FUZZ_DIR)/make_seeds: tests/fuzz/make_seeds.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<

fuzz-build: $(FUZZ_BINS)

fuzz-seeds: $(FUZZ_DIR)/make_seeds
	$(Q)$(FUZZ_DIR)/make_seeds tests/fuzz/corpus

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) corpus $(FUZZ_TARGETS)

fuzz-short: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SHORT_SECONDS) short $(FUZZ_TARGETS)
