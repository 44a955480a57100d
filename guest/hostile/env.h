/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical places the attacks aim at, derived once from the device
 * tree: RAM, the two VMBus MMIO gaps, a hole that is neither, and where the
 * legitimate config window, BAR and VRAM go (apart, so they never overlap
 * unless a case wants them to).
 */
#ifndef GUEST_HOSTILE_ENV_H
#define GUEST_HOSTILE_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/lib/fdt.h"

struct hostile_env {
	uint64_t ram_base, ram_end;       /* first RAM bank */
	uint64_t low_base, low_end;       /* VMBus MMIO gap below 4 GiB */
	uint64_t high_base, high_end;     /* and the one above */
	uint64_t hole;                    /* page: not RAM, not a gap */
	uint64_t window;                  /* VPCI config window (8 KiB) */
	uint64_t bar;                     /* test32's 256-byte BAR0 */
	uint64_t vram;                    /* synthvid VRAM (8 MiB) */
	unsigned nr_cpus;
};

extern struct hostile_env henv;

/* Fill henv from the platform; false (with a TAP failure) if the layout
 * is not one the attacks can aim at. */
bool env_init(const struct platform_info *p);

#endif
