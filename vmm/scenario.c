// SPDX-License-Identifier: MIT
/*
 * Scenario knobs and presets (see vmm/scenario.h).
 *
 * The presets are data only: each one fixes the knobs a teacher wants to
 * contrast, and says in one sentence what the contrast is.  What happens
 * is left to the guest's policies and the host's registry.
 */
#include "vmm/scenario.h"

#include <string.h>

#include "vmm/abi/platform_abi.h"

#define MiB (1ull << 20)
/* The 2026 fallback reservation never exceeds this (facts §8.6). */
#define FALLBACK_FB_MAX_SIZE (128 * MiB)

/* A two-stage boot whose crash kernel follows these three policies.
 * Spelled out in every kdump preset, so each entry reads as the one
 * policy it changes against `kdump` (none, legacy, pci-first: pre-2026
 * Linux). */
#define KDUMP_CRASH_KERNEL(reserve, window, order)              \
	{                                                       \
		.boot = SCENARIO_BOOT_KDUMP,                    \
		.crash_fb_reserve = SCENARIO_FB_RESERVE_##reserve, \
		.crash_config_window = SCENARIO_CONFIG_WINDOW_##window, \
		.crash_load_order = SCENARIO_LOAD_##order,      \
	}

/* The kdump story's device: an NVMe root disk, whose BARs are all 64-bit
 * (so they go to the high bridge window, facts §9.4).  Only the config
 * window competes with the old VRAM for the low gap. */
#define KDUMP_PCI_FUNCS "kvmbus-test64@0"

static const struct scenario presets[] = {
	{
		.name = "normal",
		.description = "one boot: first kernel brings up video and "
			       "a PCI bus",
		.knobs = { .boot = SCENARIO_BOOT_NORMAL },
		.fb_placement = SCENARIO_FB_AT_LOW_MMIO_BASE,
	},
	{
		.name = "kdump",
		.description = "crash kernel reserves no framebuffer "
			       "(pre-2026 Linux)",
		.knobs = KDUMP_CRASH_KERNEL(NONE, LEGACY, PCI_FIRST),
		.vpci_funcs = KDUMP_PCI_FUNCS,
		.fb_placement = SCENARIO_FB_AT_LOW_MMIO_BASE,
	},
	{
		.name = "kdump-fb-fallback",
		.description = "crash kernel reserves the 2026 fallback "
			       "framebuffer",
		.knobs = KDUMP_CRASH_KERNEL(FALLBACK, LEGACY, PCI_FIRST),
		.vpci_funcs = KDUMP_PCI_FUNCS,
		.fb_placement = SCENARIO_FB_AT_LOW_MMIO_BASE,
	},
	{
		.name = "kdump-fb-fallback-miss",
		.description = "fallback range ends where the first "
			       "framebuffer begins",
		.knobs = KDUMP_CRASH_KERNEL(FALLBACK, LEGACY, PCI_FIRST),
		.vpci_funcs = KDUMP_PCI_FUNCS,
		.fb_placement = SCENARIO_FB_PAST_FALLBACK_REACH,
	},
	{
		.name = "kdump-config-high",
		.description = "crash kernel puts the PCI config window "
			       "above 4 GiB",
		.knobs = KDUMP_CRASH_KERNEL(NONE, HIGH, PCI_FIRST),
		.vpci_funcs = KDUMP_PCI_FUNCS,
		.fb_placement = SCENARIO_FB_AT_LOW_MMIO_BASE,
	},
	{
		.name = "kdump-video-first",
		.description = "crash kernel loads video before the PCI "
			       "front-end",
		.knobs = KDUMP_CRASH_KERNEL(NONE, LEGACY, VIDEO_FIRST),
		.vpci_funcs = KDUMP_PCI_FUNCS,
		.fb_placement = SCENARIO_FB_AT_LOW_MMIO_BASE,
	},
	{
		.name = "hostile",
		.description = "guest sends 60+ malformed inputs, then talks "
			       "cleanly",
		.knobs = { .boot = SCENARIO_BOOT_NORMAL },
		.fb_placement = SCENARIO_FB_AT_LOW_MMIO_BASE,
		.kernel = "kvmbus-hostile.elf",
	}
};

#define NR_PRESETS (sizeof(presets) / sizeof(presets[0]))

const struct scenario *scenario_find(const char *name)
{
	if (!name)
		return NULL;
	for (unsigned i = 0; i < NR_PRESETS; i++) {
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	}
	return NULL;
}

unsigned scenario_count(void)
{
	return (unsigned)NR_PRESETS;
}

const struct scenario *scenario_at(unsigned index)
{
	return index < NR_PRESETS ? &presets[index] : NULL;
}

void scenario_print_list(FILE *f)
{
	for (unsigned i = 0; i < NR_PRESETS; i++)
		fprintf(f, "%-23s %s\n", presets[i].name,
			presets[i].description);
}

uint64_t scenario_fallback_fb_size(uint64_t start)
{
	if (start >= MEMMAP_4G)
		return 0;
	uint64_t half_of_rest = (MEMMAP_4G - start) / 2;

	return half_of_rest < FALLBACK_FB_MAX_SIZE ? half_of_rest
						   : FALLBACK_FB_MAX_SIZE;
}

uint64_t scenario_fb_base(enum scenario_fb_placement placement,
			  struct memmap_range low_mmio)
{
	switch (placement) {
	case SCENARIO_FB_AT_LOW_MMIO_BASE:
		break;
	case SCENARIO_FB_PAST_FALLBACK_REACH:
		/* A crash kernel with lfb_base 0 starts the fallback at the
		 * low MMIO base; the first framebuffer begins where that
		 * reservation ends. */
		return low_mmio.base + scenario_fallback_fb_size(low_mmio.base);
	}
	return low_mmio.base;
}

/* ---- knob spellings ----------------------------------------------------- */

/* Each table is indexed by its enum, so adding a value without a name is
 * caught by the NULL check in name_of(). */
static const char *const boot_names[] = {
	[SCENARIO_BOOT_NORMAL] = KVMBUS_FDT_BOOT_NORMAL,
	[SCENARIO_BOOT_KDUMP] = KVMBUS_FDT_BOOT_KDUMP,
};
static const char *const fb_reserve_names[] = {
	[SCENARIO_FB_RESERVE_NONE] = KVMBUS_FDT_FB_RESERVE_NONE,
	[SCENARIO_FB_RESERVE_LFB] = KVMBUS_FDT_FB_RESERVE_LFB,
	[SCENARIO_FB_RESERVE_FALLBACK] = KVMBUS_FDT_FB_RESERVE_FALLBACK,
};
static const char *const config_window_names[] = {
	[SCENARIO_CONFIG_WINDOW_LEGACY] = KVMBUS_FDT_CONFIG_WINDOW_LEGACY,
	[SCENARIO_CONFIG_WINDOW_HIGH] = KVMBUS_FDT_CONFIG_WINDOW_HIGH,
};
static const char *const load_order_names[] = {
	[SCENARIO_LOAD_PCI_FIRST] = KVMBUS_FDT_LOAD_ORDER_PCI_FIRST,
	[SCENARIO_LOAD_VIDEO_FIRST] = KVMBUS_FDT_LOAD_ORDER_VIDEO_FIRST,
};

#define COUNT(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* Enums arrive as plain ints from callers' structs: check the range
 * rather than trust the type. */
static const char *name_of(const char *const *names, unsigned n, int v)
{
	return v >= 0 && (unsigned)v < n ? names[v] : NULL;
}

static int index_of(const char *const *names, unsigned n, const char *s)
{
	if (!s)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	}
	return -1;
}

const char *scenario_boot_name(enum scenario_boot v)
{
	return name_of(boot_names, COUNT(boot_names), (int)v);
}

int scenario_boot_parse(const char *s, enum scenario_boot *out)
{
	int i = index_of(boot_names, COUNT(boot_names), s);

	if (i < 0)
		return -1;
	*out = (enum scenario_boot)i;
	return 0;
}

const char *scenario_fb_reserve_name(enum scenario_fb_reserve v)
{
	return name_of(fb_reserve_names, COUNT(fb_reserve_names), (int)v);
}

int scenario_fb_reserve_parse(const char *s, enum scenario_fb_reserve *out)
{
	int i = index_of(fb_reserve_names, COUNT(fb_reserve_names), s);

	if (i < 0)
		return -1;
	*out = (enum scenario_fb_reserve)i;
	return 0;
}

const char *scenario_config_window_name(enum scenario_config_window v)
{
	return name_of(config_window_names, COUNT(config_window_names),
		       (int)v);
}

int scenario_config_window_parse(const char *s,
				 enum scenario_config_window *out)
{
	int i = index_of(config_window_names, COUNT(config_window_names), s);

	if (i < 0)
		return -1;
	*out = (enum scenario_config_window)i;
	return 0;
}

const char *scenario_load_order_name(enum scenario_load_order v)
{
	return name_of(load_order_names, COUNT(load_order_names), (int)v);
}

int scenario_load_order_parse(const char *s, enum scenario_load_order *out)
{
	int i = index_of(load_order_names, COUNT(load_order_names), s);

	if (i < 0)
		return -1;
	*out = (enum scenario_load_order)i;
	return 0;
}
