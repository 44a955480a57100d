/* SPDX-License-Identifier: MIT */
/*
 * The guest's VMBus MMIO allocator: what Linux's vmbus_allocate_mmio() and
 * vmbus_free_mmio() decide, with the resource trees they use, so that the
 * kvmbus test guest picks exactly the addresses a Linux guest would
 * (protocol-facts §9.3, §9.4, §8.6).
 *
 * Model of Linux's state (every range is inclusive: [start, end], like
 * struct resource):
 *   - ranges:  the VMBus MMIO ranges from the platform (up to 4), kept in
 *              ascending address order, adjacent ones merged (§9.1);
 *   - global:  the "iomem" tree: every region granted exclusively, plus
 *              whatever the platform marks busy.  A grant may be turned
 *              into a bridge window (no longer busy): later requests that
 *              lie wholly inside it then succeed there, as in Linux;
 *   - shadow:  Linux's private hyperv_mmio tree: a busy copy of every
 *              grant made through the range walk, and the framebuffer
 *              reservation fb_mmio (not busy).  Because a bridge window is
 *              still busy here, two buses can never be handed overlapping
 *              ranges.
 *
 * Request rule for both trees (Linux __request_region): a request fails
 * if it overlaps a busy region, or overlaps a non-busy region without
 * lying wholly inside it.  Shadow requests must also lie inside the range
 * they are made under.
 *
 * Fixed-size storage only (no malloc): compiled into the freestanding
 * guest and into the host library.
 */
#ifndef KVMBUS_PCIF_MMIO_ALLOC_H
#define KVMBUS_PCIF_MMIO_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "pci_front/pcif_log.h"

#define PCIF_MMIO_MAX_RANGES   4
#define PCIF_MMIO_MAX_REGIONS  32

#define PCIF_SZ_1M             0x100000ull
#define PCIF_SZ_8M             0x800000ull
#define PCIF_SZ_128M           0x8000000ull
#define PCIF_SZ_4G             0x100000000ull
/* Linux ignores ACPI ranges that end below 1 MiB (§9.1). */
#define PCIF_MMIO_RANGE_MIN_END PCIF_SZ_1M

/* Results.  PCIF_MMIO_NOSPACE is where Linux returns -ENXIO. */
enum pcif_mmio_result {
	PCIF_MMIO_OK = 0,
	PCIF_MMIO_NOSPACE = -1,   /* nothing fits (-ENXIO) */
	PCIF_MMIO_INVALID = -2,   /* bad argument: size 0, align not 2^n, wrap */
	PCIF_MMIO_FULL = -3,      /* a fixed-size table is full */
	PCIF_MMIO_NOT_FOUND = -4, /* free: no such grant */
	PCIF_MMIO_OVERLAP = -5,   /* add_range: overlaps an existing range */
};

/* What a region in either tree stands for. */
enum pcif_mmio_kind {
	PCIF_MMIO_GRANT,          /* global: handed out by pcif_mmio_allocate */
	PCIF_MMIO_PLATFORM,       /* global: marked busy by the platform */
	PCIF_MMIO_SHADOW,         /* shadow: busy twin of a range-walk grant */
	PCIF_MMIO_FB,             /* shadow: fb_mmio, not busy */
};

struct pcif_mmio_range {
	uint64_t start;
	uint64_t end;             /* inclusive */
};

struct pcif_mmio_region {
	uint64_t start;
	uint64_t end;             /* inclusive */
	enum pcif_mmio_kind kind;
	bool busy;
	const char *owner;        /* caller's string; must outlive the region */
};

struct pcif_mmio_tree {
	struct pcif_mmio_region region[PCIF_MMIO_MAX_REGIONS];
	unsigned count;
};

struct pcif_mmio_alloc {
	struct pcif_mmio_range range[PCIF_MMIO_MAX_RANGES];
	unsigned nr_ranges;
	struct pcif_mmio_tree global;
	struct pcif_mmio_tree shadow;
	/* fb_mmio: valid when has_fb (it is also a PCIF_MMIO_FB region in
	 * the shadow tree). */
	bool has_fb;
	struct pcif_mmio_range fb;
	struct pcif_log log;
};

/* ---- Setup ----------------------------------------------------------- */
/* Empty allocator; log may be NULL. */
void pcif_mmio_init(struct pcif_mmio_alloc *a, const struct pcif_log *log);
/* Add a VMBus range [base, base + size).  Ranges are kept ascending and
 * adjacent ones merged; a range ending below 1 MiB is ignored (returns
 * PCIF_MMIO_OK without adding it), as Linux does. */
int pcif_mmio_add_range(struct pcif_mmio_alloc *a, uint64_t base,
			uint64_t size);
/* The platform marks [base, base + size) busy in the global tree (what
 * firmware or another driver holds). */
int pcif_mmio_mark_busy(struct pcif_mmio_alloc *a, uint64_t base,
			uint64_t size, const char *owner);

/* ---- Framebuffer reservation (vmbus_reserve_fb, §8.6) ----------------- */
enum pcif_fb_policy {
	/* Reserve nothing (a guest without a firmware framebuffer). */
	PCIF_FB_NONE,
	/* Pre-2026 Linux: when lfb_base != 0 reserve
	 * [lfb_base, lfb_base + max(lfb_size, 8 MiB)). */
	PCIF_FB_LFB,
	/* 2026 upstream fix (016a25e4b0df): when the low MMIO base (start of
	 * the first range) is valid -- non-zero, below 4 GiB, and lfb_base is
	 * 0 or >= it -- start = lfb_base, or the low MMIO base if lfb_base is
	 * 0, and size = min((4 GiB - start) / 2, 128 MiB).  Otherwise Linux
	 * warns and behaves as PCIF_FB_LFB. */
	PCIF_FB_FALLBACK,
};

/* Outcome of pcif_mmio_reserve_fb beyond the pcif_mmio_result codes. */
#define PCIF_MMIO_FB_NOTHING 1    /* the policy reserves nothing */

/* Reserve fb_mmio under the first range (Linux: "the one below 4GB"),
 * halving the size down to 1 MiB until the request succeeds.
 * lfb_size is narrowed to 32 bits as screen_info.lfb_size is.
 * Returns PCIF_MMIO_OK (a->fb holds the range), PCIF_MMIO_FB_NOTHING, or
 * PCIF_MMIO_NOSPACE when no size down to 1 MiB could be reserved. */
int pcif_mmio_reserve_fb(struct pcif_mmio_alloc *a, enum pcif_fb_policy policy,
			 uint64_t lfb_base, uint64_t lfb_size);
const char *pcif_fb_policy_name(enum pcif_fb_policy policy);

/* ---- vmbus_allocate_mmio / vmbus_free_mmio (§9.3) --------------------- */
/* Find size bytes, align-aligned (a power of two), for owner:
 *   1. fb_overlap_ok and fb_mmio intersects [min, max]: first aligned
 *      start inside fb_mmio whose global request succeeds (no shadow);
 *   2. else, or if that failed: each range not skipped by
 *      (range.start >= max || range.end <= min), ascending; aligned
 *      starts step align; when !fb_overlap_ok a candidate whose start or
 *      end falls inside fb_mmio is skipped; shadow request, then global
 *      request (shadow released if the global one fails).
 * As in Linux, min/max only select ranges: the result need not be >= min.
 * On success *start_out is the base.  PCIF_MMIO_NOSPACE if nothing fits. */
int pcif_mmio_allocate(struct pcif_mmio_alloc *a, const char *owner,
		       uint64_t min, uint64_t max, uint64_t size,
		       uint64_t align, bool fb_overlap_ok,
		       uint64_t *start_out);
/* Release a grant: its shadow (skipped when the block lies wholly inside
 * fb_mmio -- the 2025 fix: such grants never took one) and its global
 * region.  PCIF_MMIO_NOT_FOUND if no grant matches exactly. */
int pcif_mmio_free(struct pcif_mmio_alloc *a, uint64_t start, uint64_t size);
/* Turn the grant at start into a bridge window (Linux clears
 * IORESOURCE_BUSY on it) or back.  While it is a window, global requests
 * wholly inside it succeed; its shadow stays busy. */
int pcif_mmio_set_window(struct pcif_mmio_alloc *a, uint64_t start,
			 bool is_window);

/* ---- The calls the drivers make (§9.4) ------------------------------- */
#define PCIF_CONFIG_WINDOW_SIZE  0x2000ull  /* PCI_CONFIG_MMIO_LENGTH */
#define PCIF_CONFIG_WINDOW_ALIGN 0x1000ull
#define PCIF_VRAM_ALIGN          PCIF_SZ_1M

enum pcif_config_window_policy {
	PCIF_CFGWIN_LEGACY,       /* mainline: min 0 -> low gap first */
	PCIF_CFGWIN_HIGH,         /* proposed 2026 fix: min 4 GiB */
};

uint64_t pcif_config_window_min(enum pcif_config_window_policy policy);
const char *pcif_config_window_policy_name(enum pcif_config_window_policy p);
/* pci-hyperv hv_allocate_config_window: 8 KiB, 4 KiB aligned, min per
 * policy, max -1, fb_overlap_ok false. */
int pcif_mmio_allocate_config_window(struct pcif_mmio_alloc *a,
				     enum pcif_config_window_policy policy,
				     const char *owner, uint64_t *start_out);
/* hyperv_drm VRAM: min 0, max -1, 1 MiB aligned, fb_overlap_ok true. */
int pcif_mmio_allocate_vram(struct pcif_mmio_alloc *a, uint64_t size,
			    const char *owner, uint64_t *start_out);

/* Largest power of two <= size (0 for 0): a bridge window's alignment. */
uint64_t pcif_bridge_window_align(uint64_t size);
/* pci-hyperv bridge windows: low = [0, 0xFFFFFFFF] for the sum of the
 * 32-bit BARs, high = [4 GiB, max] for the 64-bit ones; align per
 * pcif_bridge_window_align; fb_overlap_ok false. */
int pcif_mmio_allocate_bridge_window(struct pcif_mmio_alloc *a, bool high,
				     uint64_t size, const char *owner,
				     uint64_t *start_out);

/* ---- Queries --------------------------------------------------------- */
/* Do [a_start, a_start + a_size) and [b_start, b_start + b_size) share a
 * byte?  (Empty ranges share none.) */
bool pcif_ranges_overlap(uint64_t a_start, uint64_t a_size,
			 uint64_t b_start, uint64_t b_size);
/* The global grant starting at start, or NULL. */
const struct pcif_mmio_region *pcif_mmio_find_grant(
	const struct pcif_mmio_alloc *a, uint64_t start);
/* Does the shadow tree hold a busy twin exactly covering [start, +size)? */
bool pcif_mmio_has_shadow(const struct pcif_mmio_alloc *a, uint64_t start,
			  uint64_t size);

#endif
