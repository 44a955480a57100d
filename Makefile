# kvmbus — a small VMM on Linux KVM that plays the host side of Hyper-V's VMBus.
#
#   make run     install missing Debian packages, build, run the default scenario
#   make test    install missing packages, build, run every test (unit tests
#                plain and under ASan+UBSan, then the end-to-end tests)
#   make         build build/kvmbus and the guest test kernel
#
# Sources are picked up by directory, so a new file needs no Makefile edit:
#   vmm/ firmware/ vmbus/ pci_front/   host code (vmm/main.c is the program)
#   guest/ guest/lib/ pci_front/       the freestanding guest test kernel
#   tests/unit/test_*.c                one CMocka suite per file

BUILD     ?= build
CC        ?= gcc
SAN_CC    ?= clang
V         ?= 0
Q         := $(if $(filter 1,$(V)),,@)

DEBIAN_PKGS := gcc make libc6-dev linux-libc-dev libfdt-dev libcmocka-dev \
               clang libclang-rt-14-dev pkg-config python3 libpng-dev libseccomp-dev acpica-tools

WARN        := -Wall -Wextra -Werror
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -D_GNU_SOURCE -MMD -MP
SAN_CFLAGS  := -std=gnu11 -O1 -g $(WARN) -I. -D_GNU_SOURCE -MMD -MP \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
HOST_LIBS   := -lfdt -lpng -lseccomp -lpthread

HOST_SRCS := $(filter-out vmm/main.c,$(sort $(wildcard vmm/*.c firmware/*.c vmbus/*.c pci_front/*.c)))
HOST_OBJS := $(HOST_SRCS:%.c=$(BUILD)/host/%.o)
SAN_OBJS  := $(HOST_SRCS:%.c=$(BUILD)/san/%.o)

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SAN_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/san/tests/%)

# ---- guest test kernel: freestanding x86-64, identity-mapped at 1 MiB ----
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -DKVMBUS_GUEST -MMD -MP \
                -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
                -mno-red-zone -mgeneral-regs-only -mcmodel=small \
                -fno-asynchronous-unwind-tables -fno-common
GUEST_SRCS := $(sort $(wildcard guest/*.c guest/lib/*.c pci_front/*.c))
GUEST_ASM  := $(sort $(wildcard guest/*.S guest/lib/*.S))
GUEST_OBJS := $(GUEST_SRCS:%.c=$(BUILD)/guest/%.o) $(GUEST_ASM:%.S=$(BUILD)/guest/%.o)
LIBFDT_A   := $(firstword $(wildcard /usr/lib/x86_64-linux-gnu/libfdt.a /usr/lib/libfdt.a))
GUEST_ELF  := $(BUILD)/kvmbus-guest.elf

# Without /dev/kvm, `make run` and the end-to-end suite run under a nested
# KVM in QEMU (tests/nested/); NESTED=0 runs directly (KVM tests then SKIP).
NESTED ?= 1
RUN_ARGS ?=

.PHONY: all run test unit unit-san e2e e2e-san deps clean help
.DEFAULT_GOAL := all

all: $(BUILD)/kvmbus $(GUEST_ELF)

help:
	@sed -n '3,9p' Makefile | sed 's/^# \{0,1\}//'

# ---- the VMM --------------------------------------------------------------
$(BUILD)/kvmbus: $(BUILD)/host/vmm/main.o $(BUILD)/libkvmbus.a
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS)

$(BUILD)/libkvmbus.a: $(HOST_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

# ---- unit tests (CMocka), plain and sanitized -----------------------------
$(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $(BUILD)/libkvmbus.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS) -lcmocka

$(BUILD)/libkvmbus-san.a: $(SAN_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC-SAN  $<"
	$(Q)$(SAN_CC) $(SAN_CFLAGS) -c -o $@ $<

$(BUILD)/san/tests/%: $(BUILD)/san/tests/unit/%.o $(BUILD)/libkvmbus-san.a
	@mkdir -p $(@D)
	@echo "  LD-SAN  $@"
	$(Q)$(SAN_CC) -fsanitize=address,undefined -o $@ $^ $(HOST_LIBS) -lcmocka

# ---- the guest ------------------------------------------------------------
$(GUEST_ELF): $(GUEST_OBJS) guest/guest.ld
	@echo "  LD      $@"
	$(Q)test -n "$(LIBFDT_A)" || { echo "libfdt.a not found: install libfdt-dev (make deps)"; exit 1; }
	$(Q)ld -nostdlib -static -no-pie -z noexecstack -T guest/guest.ld -o $@ \
		$(GUEST_OBJS) $(LIBFDT_A)

$(BUILD)/guest/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC-G    $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(BUILD)/guest/%.o: %.S
	@mkdir -p $(@D)
	@echo "  AS-G    $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

# ---- the two commands -----------------------------------------------------
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)if [ -r /dev/kvm ] && [ -w /dev/kvm ] || [ "$(NESTED)" = 0 ]; then \
		$(BUILD)/kvmbus run $(RUN_ARGS); else \
		echo "kvmbus: /dev/kvm is missing here: running under a nested KVM in QEMU (tests/nested/, slow)"; \
		tests/nested/run.sh -- "$(BUILD)/kvmbus run $(RUN_ARGS)"; fi

# Fragments add their own steps to `make test` through TEST_EXTRA.
TEST_EXTRA ?=
test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(SAN_BINS)
	$(Q)$(MAKE) --no-print-directory unit unit-san $(TEST_EXTRA) e2e e2e-san

unit: $(UNIT_BINS)
	$(Q)tests/run-unit.sh "plain" $(UNIT_BINS)

unit-san: $(SAN_BINS)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run-unit.sh "ASan+UBSan" $(SAN_BINS)

e2e: all
	$(Q)if [ -r /dev/kvm ] && [ -w /dev/kvm ] || [ "$(NESTED)" = 0 ]; then \
		tests/e2e/run.sh $(BUILD); else tests/e2e/nested.sh $(BUILD); fi

# The end-to-end suite again, with kvmbus itself built under ASan + UBSan
# (any report makes kvmbus fail, so the tests fail).
$(BUILD)/san/kvmbus: $(BUILD)/san/vmm/main.o $(BUILD)/libkvmbus-san.a tests/e2e/san_options.c
	@echo "  LD-SAN  $@"
	$(Q)$(SAN_CC) $(SAN_CFLAGS) -o $@ $(BUILD)/san/vmm/main.o tests/e2e/san_options.c \
		$(BUILD)/libkvmbus-san.a $(HOST_LIBS)

$(BUILD)/san/kvmbus-guest.elf: $(GUEST_ELF)
	$(Q)cp $< $@

e2e-san: $(BUILD)/san/kvmbus $(BUILD)/san/kvmbus-guest.elf
	$(Q)echo "== end-to-end suite with kvmbus built under ASan + UBSan"
	$(Q)if [ -r /dev/kvm ] && [ -w /dev/kvm ] || [ "$(NESTED)" = 0 ]; then \
		tests/e2e/run.sh $(BUILD)/san; else tests/e2e/nested.sh $(BUILD)/san; fi

# Install the Debian packages the build needs, saying what it installs.
deps:
	$(Q)missing=""; for p in $(DEBIAN_PKGS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "kvmbus: installing missing Debian packages:$$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf $(BUILD)

# Optional parts, each in its own fragment: fuzzing (make fuzz), the
# benchmark (make bench), the hostile guest, the Linux guest test
# (make linux-kernel, make test-linux).
-include tests/fuzz/fuzz.mk
-include tests/bench/bench.mk
-include tests/linux/linux.mk
-include tests/hostile/hostile.mk

# `kvmbus run --scenario hostile` boots the hostile guest next to kvmbus.
all: $(BUILD)/kvmbus-hostile.elf
$(BUILD)/san/kvmbus-hostile.elf: $(BUILD)/kvmbus-hostile.elf
	$(Q)mkdir -p $(@D) && cp $< $@
e2e-san: $(BUILD)/san/kvmbus-hostile.elf

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
