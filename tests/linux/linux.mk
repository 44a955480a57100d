# tests/linux/linux.mk — included by the top-level Makefile.
#
#   make linux-kernel   build the minimal Linux 6.1 (cached; rebuilt only
#                       when tests/linux/kvmbus.config changes)
#   make linux-qemu     boot that kernel under plain QEMU TCG (no VMBus):
#                       checks the configuration itself
#   make test-linux     boot it under kvmbus and check that hv_vmbus,
#                       pci-hyperv and hyperv_drm negotiate with kvmbus
#                       (nested under QEMU where /dev/kvm is missing)
#   make test-linux-kdump
#                       boot the bzImage with --boot kdump: the crash
#                       kernel's pci-hyperv must be refused D0 entry
#                       (0xc0370048) for the first kernel's VRAM; exit 3
#
# Not part of `make test` unless asked (TEST_LINUX=1 make test runs
# test-linux, never test-linux-kdump): the first kernel build takes
# minutes.  See tests/linux/README.md.

.PHONY: linux-kernel linux-qemu test-linux test-linux-kdump

ifeq ($(TEST_LINUX),1)
TEST_EXTRA += test-linux
endif

linux-kernel:
	$(Q)tests/linux/build-kernel.sh

linux-qemu: linux-kernel
	$(Q)tests/linux/qemu-smoke.sh

test-linux: all linux-kernel
	$(Q)tests/linux/test-linux.sh $(BUILD)

test-linux-kdump: all linux-kernel
	$(Q)tests/linux/test-linux-kdump.sh $(BUILD)
