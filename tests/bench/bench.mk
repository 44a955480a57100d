# make bench -- performance figures, not pass/fail, not part of `make test`
# (tests/bench/README.md).  Included by the top-level Makefile.
#
#   make bench                 build, then run tests/bench/run.py: the
#                              host-only drain benchmark natively, the KVM
#                              parts on /dev/kvm or under tests/nested/
#   make bench BENCH_ARGS=...  options for run.py (e.g. --runs 3 --quick)
#   make bench-build           build only
#
# The bench guest is a separate kernel (guest/bench/, its own entry and
# linker script).  It links the test kernel's objects through an archive,
# so only what it uses comes in -- never guest/main.o or guest/start.o.

BENCH_ELF       := $(BUILD)/kvmbus-bench.elf
BENCH_SRCS      := $(sort $(wildcard guest/bench/*.c))
BENCH_ASM       := $(sort $(wildcard guest/bench/*.S))
BENCH_OBJS      := $(BENCH_SRCS:%.c=$(BUILD)/guest/%.o) \
                   $(BENCH_ASM:%.S=$(BUILD)/guest/%.o)
BENCH_USER_OBJ  := $(BUILD)/guest/guest/bench/producer.o
BENCH_GUEST_LIB := $(BUILD)/guest/libguest-bench.a
BENCH_LIB_OBJS  := $(filter-out $(BUILD)/guest/guest/main.o \
                   $(BUILD)/guest/guest/start.o,$(GUEST_OBJS))
BENCH_DRAIN     := $(BUILD)/tests/bench/host_drain
BENCH_ARGS      ?=

.PHONY: bench bench-build

bench-build: all $(BENCH_ELF) $(BENCH_DRAIN)

bench: deps
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)python3 tests/bench/run.py --build $(BUILD) $(BENCH_ARGS)

$(BENCH_GUEST_LIB): $(BENCH_LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The user part must call nothing outside the user pages: producer.o may
# have no undefined symbols (a compiler-made memcpy call would be one).
$(BENCH_ELF): $(BENCH_OBJS) $(BENCH_GUEST_LIB) guest/bench/bench.ld
	@echo "  LD      $@"
	$(Q)test -n "$(LIBFDT_A)" || { echo "libfdt.a not found: install libfdt-dev (make deps)"; exit 1; }
	$(Q)undef=$$(nm -u $(BENCH_USER_OBJ)); test -z "$$undef" || \
		{ echo "guest/bench/producer.c calls outside the user pages: $$undef"; exit 1; }
	$(Q)ld -nostdlib -static -no-pie -z noexecstack -T guest/bench/bench.ld \
		-o $@ $(BENCH_OBJS) --start-group $(BENCH_GUEST_LIB) $(LIBFDT_A) --end-group

$(BENCH_DRAIN): $(BUILD)/host/tests/bench/host_drain.o $(BUILD)/libkvmbus.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS)
