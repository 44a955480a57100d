// SPDX-License-Identifier: MIT
#include "guest/scenario.h"

#include <stddef.h>

#include "vmm/abi/platform_abi.h"

#define PAGE 0x1000ull
/* The crash kernel's half starts on a 2 MiB boundary (the boot page
 * tables' granule). */
#define SPLIT_ALIGN 0x200000ull

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Each parser: true if s is a known spelling (then *out is set). */
static bool parse_fb(const char *s, enum pcif_fb_policy *out)
{
	if (same(s, KVMBUS_FDT_FB_RESERVE_NONE))
		*out = PCIF_FB_NONE;
	else if (same(s, KVMBUS_FDT_FB_RESERVE_LFB))
		*out = PCIF_FB_LFB;
	else if (same(s, KVMBUS_FDT_FB_RESERVE_FALLBACK))
		*out = PCIF_FB_FALLBACK;
	else
		return false;
	return true;
}

static bool parse_window(const char *s, enum pcif_config_window_policy *out)
{
	if (same(s, KVMBUS_FDT_CONFIG_WINDOW_LEGACY))
		*out = PCIF_CFGWIN_LEGACY;
	else if (same(s, KVMBUS_FDT_CONFIG_WINDOW_HIGH))
		*out = PCIF_CFGWIN_HIGH;
	else
		return false;
	return true;
}

static bool parse_video_first(const char *s, bool *video_first)
{
	if (same(s, KVMBUS_FDT_LOAD_ORDER_VIDEO_FIRST))
		*video_first = true;
	else if (same(s, KVMBUS_FDT_LOAD_ORDER_PCI_FIRST))
		*video_first = false;
	else
		return false;
	return true;
}

static const char *or_unknown(const char *s)
{
	return s ? s : "?";
}

const char *scenario_from_platform(struct guest_scenario *s,
				   const struct platform_info *p)
{
	const char *bad = NULL;
	bool kdump = false, video_first = true;

	/* The first-kernel policies (see scenario.h). */
	*s = (struct guest_scenario){
		.stage = SCENARIO_NORMAL,
		.fb_policy = PCIF_FB_LFB,
		.window_policy = PCIF_CFGWIN_LEGACY,
		.lfb_base = p->fb_base,
		.lfb_size = p->fb_size,
		.vpci_buses = p->vpci_buses,
		.crash_fb_reserve = or_unknown(p->crash_fb_reserve),
		.crash_config_window = or_unknown(p->crash_config_window),
		.crash_load_order = or_unknown(p->crash_load_order),
	};
	if (same(p->boot, KVMBUS_FDT_BOOT_KDUMP))
		kdump = true;
	else if (p->boot && !same(p->boot, KVMBUS_FDT_BOOT_NORMAL))
		bad = KVMBUS_FDT_BOOT;

	if (kdump)
		s->stage = p->crash_kernel ? SCENARIO_KDUMP_CRASH
					   : SCENARIO_KDUMP_FIRST;
	if (s->stage == SCENARIO_KDUMP_CRASH) {
		if (!parse_fb(p->crash_fb_reserve, &s->fb_policy) && !bad)
			bad = KVMBUS_FDT_CRASH_FB_RESERVE;
		if (!parse_window(p->crash_config_window, &s->window_policy) &&
		    !bad)
			bad = KVMBUS_FDT_CRASH_CONFIG_WINDOW;
		if (!parse_video_first(p->crash_load_order, &video_first) &&
		    !bad)
			bad = KVMBUS_FDT_CRASH_LOAD_ORDER;
	}
	s->order[0] = video_first ? SCENARIO_DEV_VIDEO : SCENARIO_DEV_PCI;
	s->order[1] = video_first ? SCENARIO_DEV_PCI : SCENARIO_DEV_VIDEO;
	return bad;
}

const char *scenario_stage_name(enum scenario_stage stage)
{
	switch (stage) {
	case SCENARIO_NORMAL:
		return "normal boot";
	case SCENARIO_KDUMP_FIRST:
		return "kdump: first kernel";
	case SCENARIO_KDUMP_CRASH:
		return "kdump: crash kernel";
	}
	return "?";
}

const char *scenario_device_name(enum scenario_device d)
{
	return d == SCENARIO_DEV_VIDEO ? "video" : "pci";
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

const char *scenario_memory(const struct guest_scenario *s,
			    const struct platform_info *p, uint64_t image_end,
			    uint64_t fdt, uint64_t fdt_size,
			    struct scenario_range *mine,
			    struct scenario_range *crash)
{
	uint64_t ram_end = p->ram.base + p->ram.size;

	*crash = (struct scenario_range){ 0, 0 };
	switch (s->stage) {
	case SCENARIO_NORMAL:
		*mine = (struct scenario_range){ align_up(image_end, PAGE),
						 ram_end };
		break;
	case SCENARIO_KDUMP_FIRST: {
		uint64_t split = (p->ram.base + p->ram.size / 2) &
				 ~(SPLIT_ALIGN - 1);

		*mine = (struct scenario_range){ align_up(image_end, PAGE),
						 split };
		*crash = (struct scenario_range){ split, ram_end };
		break;
	}
	case SCENARIO_KDUMP_CRASH:
		if (!p->has_usable || !p->usable.size)
			return "crash kernel without linux,usable-memory-range";
		*mine = (struct scenario_range){
			align_up(p->usable.base, PAGE),
			(p->usable.base + p->usable.size) & ~(PAGE - 1),
		};
		/* The boot info lies at the start of the range (kdump.c):
		 * keep it, as Linux keeps its DTB. */
		if (fdt >= mine->start && fdt < mine->end &&
		    align_up(fdt + fdt_size, PAGE) > mine->start)
			mine->start = align_up(fdt + fdt_size, PAGE);
		if (mine->start < align_up(image_end, PAGE))
			return "usable memory overlaps the kernel image";
		break;
	}
	if (mine->start >= mine->end)
		return "no memory left for the page allocator";
	return NULL;
}
