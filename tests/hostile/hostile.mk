# tests/hostile/hostile.mk -- the hostile guest kernel and its test.
#
#   make hostile         build/kvmbus and build/kvmbus-hostile.elf
#   make test-hostile    run tests/hostile/check.sh (nested KVM if needed)
#
# Included from the top-level Makefile (-include tests/hostile/hostile.mk),
# or by hand: make -f Makefile -f tests/hostile/hostile.mk hostile
#
# The hostile kernel is a second program over the same guest library:
# its own main and attack files (guest/hostile/), the shared guest library
# (guest/lib/), the entry code, and the VMBus client pieces it drives
# (vmbus_client, gpadl, ring, channel, echo) -- not guest/main.c.

HOSTILE_ELF    := $(BUILD)/kvmbus-hostile.elf
HOSTILE_SRCS   := $(sort $(wildcard guest/hostile/*.c))
HOSTILE_SHARED := $(sort $(wildcard guest/lib/*.c)) guest/vmbus_client.c \
                  guest/gpadl.c guest/ring.c guest/channel.c guest/echo.c
HOSTILE_ASM    := guest/start.S $(sort $(wildcard guest/lib/*.S))
HOSTILE_OBJS   := $(HOSTILE_SRCS:%.c=$(BUILD)/guest/%.o) \
                  $(HOSTILE_SHARED:%.c=$(BUILD)/guest/%.o) \
                  $(HOSTILE_ASM:%.S=$(BUILD)/guest/%.o)

.PHONY: hostile test-hostile

hostile: $(BUILD)/kvmbus $(HOSTILE_ELF)

$(HOSTILE_ELF): $(HOSTILE_OBJS) guest/guest.ld
	@echo "  LD      $@"
	$(Q)test -n "$(LIBFDT_A)" || { echo "libfdt.a not found: install libfdt-dev (make deps)"; exit 1; }
	$(Q)ld -nostdlib -static -no-pie -z noexecstack -T guest/guest.ld -o $@ \
		$(HOSTILE_OBJS) $(LIBFDT_A)

# Without /dev/kvm: under the nested KVM (tests/nested/), sharing BUILD
# if it lies outside the repository.
test-hostile: hostile
	$(Q)if [ -r /dev/kvm ] && [ -w /dev/kvm ] || [ "$(NESTED)" = 0 ]; then \
		tests/hostile/check.sh $(BUILD); else \
		b=$$(cd $(BUILD) && pwd); share=; \
		case "$$b/" in "$$(pwd)"/*) ;; *) share="--share $$b" ;; esac; \
		tests/nested/run.sh --timeout 900 $$share -- "tests/hostile/check.sh $$b"; fi
