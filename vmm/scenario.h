/* SPDX-License-Identifier: MIT */
/*
 * Scenario knobs and the presets `kvmbus run --scenario NAME` selects.
 *
 * A knob describes the guest's platform or its kernels' policies (facts
 * §8.6, §9.4); it never describes a result.  A preset is only a set of
 * knob values with a teaching sentence: whether a run reproduces the
 * MMIO conflict follows at run time from the guest acting on the knobs
 * and the host's MMIO registry, so nothing here names an outcome.
 *
 * The knob values travel to the guest as strings in /chosen; the
 * spellings are the KVMBUS_FDT_* values of vmm/abi/platform_abi.h, so
 * the command line, the device tree and the guest share one vocabulary.
 */
#ifndef KVMBUS_SCENARIO_H
#define KVMBUS_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "firmware/memmap.h"

/* Every enum's first value is the default, so a zeroed struct is the
 * plain one-boot platform. */

enum scenario_boot {
	SCENARIO_BOOT_NORMAL,         /* one kernel */
	SCENARIO_BOOT_KDUMP,          /* first kernel, then a crash kernel */
};

/* How the crash kernel reserves a framebuffer range (vmbus_reserve_fb).
 * The first kernel always uses LFB. */
enum scenario_fb_reserve {
	SCENARIO_FB_RESERVE_NONE,     /* reserve nothing */
	SCENARIO_FB_RESERVE_LFB,      /* [lfb_base, +max(lfb_size, 8M)) if
				       * lfb_base != 0 (pre-2026 Linux) */
	SCENARIO_FB_RESERVE_FALLBACK, /* the 2026 rule: lfb_base, or the low
				       * MMIO base when it is 0 */
};

/* Where the crash kernel's pci-hyperv puts its 8 KiB config window.
 * The first kernel always uses LEGACY. */
enum scenario_config_window {
	SCENARIO_CONFIG_WINDOW_LEGACY, /* first fit from address 0 */
	SCENARIO_CONFIG_WINDOW_HIGH,   /* first fit from 4 GiB (proposed fix) */
};

/* Which driver the crash kernel probes first. */
enum scenario_load_order {
	SCENARIO_LOAD_PCI_FIRST,
	SCENARIO_LOAD_VIDEO_FIRST,
};

/* Where the platform reports the framebuffer at first boot, as a rule
 * on the low MMIO gap: the gap is only known once --low-mmio is parsed. */
enum scenario_fb_placement {
	SCENARIO_FB_AT_LOW_MMIO_BASE,       /* Gen2: fb base = low MMIO base */
	SCENARIO_FB_PAST_FALLBACK_REACH,    /* just past the range the 2026
					     * fallback reservation covers */
};

struct scenario_knobs {
	enum scenario_boot boot;
	enum scenario_fb_reserve crash_fb_reserve;
	enum scenario_config_window crash_config_window;
	enum scenario_load_order crash_load_order;
};

struct scenario {
	const char *name;
	const char *description;      /* one line: what it demonstrates */
	struct scenario_knobs knobs;
	enum scenario_fb_placement fb_placement;
	const char *vpci_funcs;       /* --vpci-funcs spec; NULL = default */
	/* Guest kernel (a file next to the kvmbus binary) when --kernel is
	 * not given; NULL = the guest test kernel. */
	const char *kernel;
};

/* The preset used when no --scenario is given. */
#define SCENARIO_DEFAULT_NAME "normal"

/* The preset called name, or NULL. */
const struct scenario *scenario_find(const char *name);
/* Presets by index, 0 .. scenario_count() - 1, in listing order. */
unsigned scenario_count(void);
const struct scenario *scenario_at(unsigned index);
/* `kvmbus scenarios`: one line per preset, name then description. */
void scenario_print_list(FILE *f);

/* Size of the 2026 fallback framebuffer reservation when it starts at
 * start (facts §8.6): min((4 GiB - start) / 2, 128 MiB); 0 if start is
 * not below 4 GiB. */
uint64_t scenario_fallback_fb_size(uint64_t start);
/* The first-boot framebuffer base a placement rule gives for this low
 * MMIO gap. */
uint64_t scenario_fb_base(enum scenario_fb_placement placement,
			  struct memmap_range low_mmio);

/* Knob spellings, shared by the command line and the device tree.
 * *_name returns NULL for a value outside the enum; *_parse returns 0
 * and sets *out, or -1 for an unknown spelling (leaving *out alone). */
const char *scenario_boot_name(enum scenario_boot v);
int scenario_boot_parse(const char *s, enum scenario_boot *out);
const char *scenario_fb_reserve_name(enum scenario_fb_reserve v);
int scenario_fb_reserve_parse(const char *s, enum scenario_fb_reserve *out);
const char *scenario_config_window_name(enum scenario_config_window v);
int scenario_config_window_parse(const char *s,
				 enum scenario_config_window *out);
const char *scenario_load_order_name(enum scenario_load_order v);
int scenario_load_order_parse(const char *s, enum scenario_load_order *out);

#endif
