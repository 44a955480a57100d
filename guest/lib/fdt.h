/* SPDX-License-Identifier: MIT */
/*
 * The platform as the device tree describes it (names and layout in
 * vmm/abi/platform_abi.h), read with Debian's libfdt.a.
 */
#ifndef GUEST_LIB_FDT_H
#define GUEST_LIB_FDT_H

#include <stdbool.h>
#include <stdint.h>

#define PLATFORM_MAX_MMIO_RANGES 4

struct platform_range {
	uint64_t base, size;
};

struct platform_info {
	struct platform_range ram;      /* first /memory bank */
	unsigned nr_ram_banks;
	unsigned nr_cpus;               /* /chosen kvmbus,cpus (1 if absent) */
	struct platform_range vmbus_mmio[PLATFORM_MAX_MMIO_RANGES];
	unsigned nr_vmbus_mmio;         /* /vmbus ranges entries */
	uint64_t fb_base, fb_size;      /* /chosen kvmbus,fb-base/-size */
	const char *bootargs;           /* "" if absent */
	/* Scenario knobs as /chosen spells them (NULL if absent). */
	const char *boot;
	const char *crash_fb_reserve;
	const char *crash_config_window;
	const char *crash_load_order;
	unsigned vpci_buses;
	/* What a kexec'ing kernel added (platform_abi.h). */
	bool crash_kernel;              /* kvmbus,crash-kernel present */
	bool has_usable;                /* linux,usable-memory-range */
	struct platform_range usable;
	bool has_tap_state;             /* kvmbus,tap-state */
	uint32_t tap_checks, tap_failures;
};

/* Give libfdt's stack protector its canary at %fs:0x28 on this vCPU
 * (KVM facts doc, "libfdt inside a freestanding guest").  Must run on
 * every vCPU before it calls into libfdt. */
void stack_guard_init(void);

/* Fill *p from the blob.  Returns NULL, or what was wrong. */
const char *platform_read(const void *fdt, struct platform_info *p);

#endif
