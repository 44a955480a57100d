/* SPDX-License-Identifier: MIT */
/*
 * The platform description handed to the guest at boot: a flattened
 * device tree built with libfdt (names in vmm/abi/platform_abi.h).
 */
#ifndef KVMBUS_FDT_H
#define KVMBUS_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/memmap.h"
#include "vmm/scenario.h"

struct platform_desc {
	const struct memmap *map;
	unsigned nr_cpus;
	uint64_t fb_base;             /* first boot; 0 = no framebuffer */
	uint64_t fb_size;
	const char *bootargs;         /* may be NULL */
	/* Boot mode and crash-kernel policies, written as strings to
	 * /chosen (zeroed: one normal boot). */
	struct scenario_knobs knobs;
	unsigned vpci_buses;          /* PCI pass-through buses offered */
};

/* Build the blob into buf (at most len bytes).  Returns the blob size,
 * or -1 with a reason in err. */
int fdt_build_platform(void *buf, size_t len, const struct platform_desc *p,
		       char *err, size_t errlen);

#endif
