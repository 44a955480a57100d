/* SPDX-License-Identifier: MIT */
/*
 * What this kernel is and which policies it follows, from the scenario
 * knobs in /chosen (vmm/abi/platform_abi.h) and its own boot information.
 * The knobs name policies only; what they lead to follows at run time
 * from the guest acting on them and the host's MMIO registry.
 *
 *   stage         boot = normal                 -> NORMAL
 *                 boot = kdump, no crash marker -> KDUMP_FIRST
 *                 boot = kdump, crash marker    -> KDUMP_CRASH
 *   first kernel  (NORMAL, KDUMP_FIRST): framebuffer reservation "lfb"
 *                 at the platform's kvmbus,fb-base (nothing if 0), config
 *                 window "legacy", video before PCI.  The order does not
 *                 matter here: the framebuffer reservation keeps the PCI
 *                 config windows off the VRAM (facts §9.3 step 2); video
 *                 first is what a Gen2 guest without the reservation
 *                 would need too.
 *   crash kernel  (KDUMP_CRASH): kvmbus,crash-fb-reserve,
 *                 kvmbus,crash-config-window, kvmbus,crash-load-order;
 *                 lfb_base from its own boot info (0 after kexec).
 *
 * Memory (the crashkernel= reservation): a kdump first kernel allocates
 * only from the lower half of RAM, the crash kernel only from the upper
 * half, which the first kernel never touched -- so it is still zero, and
 * the first kernel's pages (SIMP page, rings) are never reused.
 *
 * Pure C, tested on the host (tests/unit/test_guest_scenario.c).
 */
#ifndef GUEST_SCENARIO_H
#define GUEST_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/fdt.h"
#include "pci_front/mmio_alloc.h"

enum scenario_stage {
	SCENARIO_NORMAL,
	SCENARIO_KDUMP_FIRST,
	SCENARIO_KDUMP_CRASH,
};

enum scenario_device {
	SCENARIO_DEV_VIDEO,
	SCENARIO_DEV_PCI,
};
#define SCENARIO_NR_DEVICES 2u

struct guest_scenario {
	enum scenario_stage stage;
	/* This kernel's policies. */
	enum pcif_fb_policy fb_policy;
	enum pcif_config_window_policy window_policy;
	enum scenario_device order[SCENARIO_NR_DEVICES];
	uint64_t lfb_base, lfb_size;  /* from this kernel's boot info */
	unsigned vpci_buses;          /* kvmbus,vpci-buses */
	/* The crash kernel's knobs, spelled as in /chosen, for the screen
	 * and the log ("?" if absent). */
	const char *crash_fb_reserve;
	const char *crash_config_window;
	const char *crash_load_order;
};

/* Fill *s from the platform.  Returns NULL, or the first knob whose
 * spelling is unknown (its default is used: the first-kernel policy). */
const char *scenario_from_platform(struct guest_scenario *s,
				   const struct platform_info *p);

const char *scenario_stage_name(enum scenario_stage stage);
const char *scenario_device_name(enum scenario_device d);

struct scenario_range {
	uint64_t start, end;          /* [start, end) */
};

/* Where this kernel's page allocator may take pages: `image_end` is the
 * first byte after the kernel image, fdt/fdt_size the boot device tree
 * (a crash kernel's lies in its usable range: skipped, as Linux reserves
 * its own DTB).  For KDUMP_FIRST, *crash is the upper half kept for the
 * crash kernel (else zero).  Returns NULL or why it cannot. */
const char *scenario_memory(const struct guest_scenario *s,
			    const struct platform_info *p, uint64_t image_end,
			    uint64_t fdt, uint64_t fdt_size,
			    struct scenario_range *mine,
			    struct scenario_range *crash);

#endif
