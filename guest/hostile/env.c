// SPDX-License-Identifier: MIT
/*
 * Attack targets from the platform description (env.h).
 */
#include "guest/hostile/env.h"

#include "guest/lib/report.h"

struct hostile_env henv;

/* Offsets into the low gap: VRAM at its base (where hyperv_drm would put
 * it, facts §9.4), the config window 512 MiB up, the BAR 16 MiB above the
 * window -- far apart, so only a case that aims one at another overlaps. */
#define WINDOW_OFFSET 0x20000000ull
#define BAR_OFFSET    0x21000000ull
#define NEEDED_LOW    0x22000000ull

bool env_init(const struct platform_info *p)
{
	henv.ram_base = p->ram.base;
	henv.ram_end = p->ram.base + p->ram.size;
	henv.nr_cpus = p->nr_cpus ? p->nr_cpus : 1;
	if (p->nr_vmbus_mmio >= 1) {
		henv.low_base = p->vmbus_mmio[0].base;
		henv.low_end = p->vmbus_mmio[0].base + p->vmbus_mmio[0].size;
	}
	if (p->nr_vmbus_mmio >= 2) {
		henv.high_base = p->vmbus_mmio[1].base;
		henv.high_end = p->vmbus_mmio[1].base + p->vmbus_mmio[1].size;
	}
	/* The first page after RAM: a hole as long as it is below the gap. */
	henv.hole = (henv.ram_end + 0xFFF) & ~0xFFFull;
	henv.vram = henv.low_base;
	henv.window = henv.low_base + WINDOW_OFFSET;
	henv.bar = henv.low_base + BAR_OFFSET;

	return report(p->nr_ram_banks == 1 && p->nr_vmbus_mmio >= 2 &&
		      henv.hole < henv.low_base &&
		      henv.low_end - henv.low_base >= NEEDED_LOW &&
		      henv.low_end <= 0x100000000ull,
		      "setup: targets: RAM 0x%lx-0x%lx, hole 0x%lx, low gap 0x%lx-0x%lx, high gap 0x%lx-0x%lx",
		      (unsigned long)henv.ram_base, (unsigned long)henv.ram_end,
		      (unsigned long)henv.hole, (unsigned long)henv.low_base,
		      (unsigned long)henv.low_end, (unsigned long)henv.high_base,
		      (unsigned long)henv.high_end);
}
