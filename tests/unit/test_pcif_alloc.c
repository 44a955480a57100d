// SPDX-License-Identifier: MIT
/* pci_front/mmio_alloc: Linux's vmbus_allocate_mmio / vmbus_free_mmio /
 * vmbus_reserve_fb decisions (protocol-facts §8.6, §9.3, §9.4), and the
 * kdump MMIO conflict told as pure allocator sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "firmware/memmap.h"
#include "pci_front/mmio_alloc.h"

#define KiB (1ull << 10)
#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* The platform's default gaps (firmware/memmap.h). */
#define LOW_BASE  MEMMAP_DEFAULT_LOW_MMIO_BASE    /* 0xC0000000 */
#define LOW_SIZE  MEMMAP_DEFAULT_LOW_MMIO_SIZE
#define HIGH_BASE MEMMAP_DEFAULT_HIGH_MMIO_BASE   /* 64 GiB */
#define HIGH_SIZE MEMMAP_DEFAULT_HIGH_MMIO_SIZE

/* ---- A log sink that keeps every line ------------------------------- */
struct captured_log {
	char line[16][PCIF_TEXT_MAX];
	unsigned count;
};

static void capture(void *ctx, enum pcif_log_level level, const char *text)
{
	struct captured_log *c = ctx;

	(void)level;
	if (c->count < 16)
		snprintf(c->line[c->count++], PCIF_TEXT_MAX, "%s", text);
}

static bool logged(const struct captured_log *c, const char *needle)
{
	unsigned i;

	for (i = 0; i < c->count; i++)
		if (strstr(c->line[i], needle))
			return true;
	return false;
}

/* An allocator over the platform's default low and high gaps. */
static void init_default(struct pcif_mmio_alloc *a, struct captured_log *c)
{
	struct pcif_log log = { capture, c };

	memset(c, 0, sizeof(*c));
	pcif_mmio_init(a, &log);
	assert_int_equal(pcif_mmio_add_range(a, LOW_BASE, LOW_SIZE), 0);
	assert_int_equal(pcif_mmio_add_range(a, HIGH_BASE, HIGH_SIZE), 0);
}

static uint64_t must_allocate(struct pcif_mmio_alloc *a, uint64_t min,
			      uint64_t max, uint64_t size, uint64_t align,
			      bool fb_overlap_ok)
{
	uint64_t start = 0xdeadbeef;

	assert_int_equal(pcif_mmio_allocate(a, "test", min, max, size, align,
					    fb_overlap_ok, &start),
			 PCIF_MMIO_OK);
	return start;
}

/* ---- Ranges ------------------------------------------------------------ */

static void ranges_are_sorted_merged_and_filtered(void **state)
{
	struct pcif_mmio_alloc a;

	(void)state;
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, HIGH_BASE, HIGH_SIZE), 0);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 16 * MiB), 0);
	assert_int_equal(a.nr_ranges, 2);
	assert_true(a.range[0].start == LOW_BASE);
	assert_true(a.range[0].end == LOW_BASE + 16 * MiB - 1); /* inclusive */
	assert_true(a.range[1].start == HIGH_BASE);

	/* Adjacent: merged into the low range. */
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE + 16 * MiB, 16 * MiB), 0);
	assert_int_equal(a.nr_ranges, 2);
	assert_true(a.range[0].end == LOW_BASE + 32 * MiB - 1);

	/* Ending below 1 MiB: ignored, as Linux does. */
	assert_int_equal(pcif_mmio_add_range(&a, 0xA0000, 0x20000), 0);
	assert_int_equal(a.nr_ranges, 2);

	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE + MiB, MiB),
			 PCIF_MMIO_OVERLAP);
	assert_int_equal(pcif_mmio_add_range(&a, 0, 0), PCIF_MMIO_INVALID);
	assert_int_equal(pcif_mmio_add_range(&a, UINT64_MAX, 2),
			 PCIF_MMIO_INVALID);
	assert_int_equal(pcif_mmio_add_range(&a, 2 * GiB, MiB), 0);
	assert_int_equal(pcif_mmio_add_range(&a, 0xF0000000ull, MiB), 0);
	assert_int_equal(pcif_mmio_add_range(&a, 100 * GiB, MiB), PCIF_MMIO_FULL);
	assert_true(a.range[0].start == 2 * GiB);
	assert_true(a.range[1].start == LOW_BASE);
	assert_true(a.range[2].start == 0xF0000000ull);
	assert_true(a.range[3].start == HIGH_BASE);
}

/* ---- Framebuffer reservation policies ---------------------------------- */

static void fb_policy_none_reserves_nothing(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_NONE, LOW_BASE, 8 * MiB),
			 PCIF_MMIO_FB_NOTHING);
	assert_false(a.has_fb);
	assert_int_equal(a.shadow.count, 0);
}

static void fb_policy_lfb_reserves_at_least_8m(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE, 3 * MiB),
			 PCIF_MMIO_OK);
	assert_true(a.has_fb);
	assert_true(a.fb.start == LOW_BASE);
	assert_true(a.fb.end == LOW_BASE + 8 * MiB - 1);
	/* fb_mmio is a non-busy region of the shadow tree. */
	assert_int_equal(a.shadow.count, 1);
	assert_int_equal(a.shadow.region[0].kind, PCIF_MMIO_FB);
	assert_false(a.shadow.region[0].busy);
	/* Reserved once only. */
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + 64 * MiB,
					      MiB), PCIF_MMIO_OK);
	assert_true(a.fb.start == LOW_BASE);

	/* A larger reported size is kept. */
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + 32 * MiB,
					      16 * MiB), PCIF_MMIO_OK);
	assert_true(a.fb.start == LOW_BASE + 32 * MiB);
	assert_true(a.fb.end == LOW_BASE + 48 * MiB - 1);
}

static void fb_policy_lfb_with_zero_base_reserves_nothing(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, 0, 8 * MiB),
			 PCIF_MMIO_FB_NOTHING);
	assert_false(a.has_fb);
	assert_int_equal(c.count, 0); /* pre-2026 Linux says nothing */
}

static void fb_reservation_halves_until_it_fits(void **state)
{
	struct pcif_mmio_alloc a;

	(void)state;
	/* A 16 MiB first range: 8 MiB at +12 MiB does not fit, 4 MiB does. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 16 * MiB), 0);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB,
					      LOW_BASE + 12 * MiB, 0), 0);
	assert_true(a.fb.start == LOW_BASE + 12 * MiB);
	assert_true(a.fb.end == LOW_BASE + 16 * MiB - 1);

	/* Only 512 KiB left below the range's end: not even 1 MiB fits. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 16 * MiB), 0);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB,
					      LOW_BASE + 16 * MiB - 512 * KiB,
					      0), PCIF_MMIO_NOSPACE);
	assert_false(a.has_fb);
}

static void fb_reservation_is_made_under_the_first_range_only(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	/* A framebuffer in the high gap cannot be claimed under the first
	 * ("below 4GB") node. */
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, HIGH_BASE, 8 * MiB),
			 PCIF_MMIO_NOSPACE);
	assert_false(a.has_fb);
}

static void fb_policy_fallback_uses_low_base_when_lfb_is_zero(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK, 0, 0), 0);
	/* min((4 GiB - 0xC0000000) / 2, 128 MiB) = 128 MiB. */
	assert_true(a.fb.start == LOW_BASE);
	assert_true(a.fb.end == LOW_BASE + 128 * MiB - 1);
}

static void fb_policy_fallback_keeps_a_valid_lfb_base(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK,
					      LOW_BASE + 128 * MiB, 8 * MiB), 0);
	assert_true(a.fb.start == LOW_BASE + 128 * MiB);
	assert_true(a.fb.end == LOW_BASE + 256 * MiB - 1);
}

static void fb_policy_fallback_size_is_half_of_what_is_left(void **state)
{
	struct pcif_mmio_alloc a;

	(void)state;
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, 0xF8000000ull, 0x6C00000ull), 0);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK, 0, 0), 0);
	/* (4 GiB - 0xF8000000) / 2 = 64 MiB < 128 MiB. */
	assert_true(a.fb.start == 0xF8000000ull);
	assert_true(a.fb.end == 0xF8000000ull + 64 * MiB - 1);

	/* A 64 MiB low range: 128 MiB does not fit, the halving gives 64. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 64 * MiB), 0);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK, 0, 0), 0);
	assert_true(a.fb.end == LOW_BASE + 64 * MiB - 1);
}

static void fb_policy_fallback_with_too_high_low_base_acts_as_lfb(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	struct pcif_log log = { capture, &c };

	(void)state;
	/* Only a range above 4 GiB: the low MMIO base is not valid. */
	memset(&c, 0, sizeof(c));
	pcif_mmio_init(&a, &log);
	assert_int_equal(pcif_mmio_add_range(&a, HIGH_BASE, HIGH_SIZE), 0);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK, 0, 0),
			 PCIF_MMIO_FB_NOTHING);
	assert_false(a.has_fb);
	assert_true(logged(&c, "Unexpected low mmio base 0x1000000000"));
	assert_true(logged(&c, "Unexpected framebuffer mmio base of zero"));

	/* With a non-zero lfb_base the old rule applies: max(size, 8 MiB). */
	memset(&c, 0, sizeof(c));
	pcif_mmio_init(&a, &log);
	assert_int_equal(pcif_mmio_add_range(&a, HIGH_BASE, HIGH_SIZE), 0);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK, HIGH_BASE,
					      MiB), 0);
	assert_true(a.fb.start == HIGH_BASE);
	assert_true(a.fb.end == HIGH_BASE + 8 * MiB - 1);
}

static void fb_policy_fallback_with_lfb_below_low_base_acts_as_lfb(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;

	(void)state;
	init_default(&a, &c);
	/* lfb_base below the low MMIO base: warned, then the old rule tries
	 * to reserve it under the first range -- outside it, so nothing. */
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_FALLBACK,
					      LOW_BASE - 16 * MiB, 8 * MiB),
			 PCIF_MMIO_NOSPACE);
	assert_true(logged(&c, "Unexpected low mmio base 0xc0000000"));
	assert_false(a.has_fb);
}

/* ---- fb_overlap_ok ------------------------------------------------------ */

static void fb_overlap_ok_lands_inside_fb_without_shadow(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t vram;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + 4 * MiB,
					      8 * MiB), 0);
	vram = must_allocate(&a, 0, UINT64_MAX, 8 * MiB, MiB, true);
	assert_true(vram == LOW_BASE + 4 * MiB);
	/* The fb pass takes no shadow region: fb_mmio stands for it. */
	assert_false(pcif_mmio_has_shadow(&a, vram, 8 * MiB));
	assert_int_equal(a.shadow.count, 1);
	assert_non_null(pcif_mmio_find_grant(&a, vram));
}

static void fb_overlap_not_ok_skips_fb(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t first, second;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + MiB,
					      8 * MiB), 0);
	/* An 8 KiB block still fits below the framebuffer... */
	first = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	assert_true(first == LOW_BASE);
	assert_true(pcif_mmio_has_shadow(&a, first, 8 * KiB));
	/* ...a 1 MiB one does not: it goes right after fb_mmio. */
	second = must_allocate(&a, 0, UINT64_MAX, MiB, MiB, false);
	assert_true(second == LOW_BASE + 9 * MiB);
}

static void candidate_straddling_fb_start_or_end_is_skipped(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t s;

	(void)state;
	/* fb_mmio = [low + 1 MiB, low + 9 MiB). */
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + MiB,
					      8 * MiB), 0);
	/* 2 MiB blocks: [low, low+2M) ends inside fb (straddles its start);
	 * [low+8M, low+10M) starts inside fb (straddles its end). */
	s = must_allocate(&a, 0, UINT64_MAX, 2 * MiB, MiB, false);
	assert_true(s == LOW_BASE + 9 * MiB);
	assert_false(pcif_ranges_overlap(s, 2 * MiB, a.fb.start,
					 a.fb.end - a.fb.start + 1));

	/* A candidate that swallows fb_mmio whole passes the start/end test,
	 * but the shadow tree refuses it (fb_mmio does not contain it). */
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + MiB,
					      8 * MiB), 0);
	s = must_allocate(&a, 0, UINT64_MAX, 16 * MiB, 16 * MiB, false);
	assert_true(s == LOW_BASE + 16 * MiB);

	/* fb_overlap_ok but too big for fb_mmio: the walk must not straddle
	 * it either. */
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE + MiB,
					      8 * MiB), 0);
	s = must_allocate(&a, 0, UINT64_MAX, 16 * MiB, MiB, true);
	assert_true(s == LOW_BASE + 9 * MiB);
}

/* ---- Shadow tree: two buses never overlap ----------------------------- */

static void two_buses_never_overlap(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t cfg0, cfg1, win0, win1;

	(void)state;
	init_default(&a, &c);
	cfg0 = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	cfg1 = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	assert_true(cfg0 == LOW_BASE);
	assert_true(cfg1 == LOW_BASE + 8 * KiB);

	/* Bus 0's low bridge window becomes a window (not busy) in the
	 * global tree, so a global request inside it would now succeed;
	 * the shadow tree still keeps bus 1 out of it. */
	assert_int_equal(pcif_mmio_allocate_bridge_window(&a, false, 32 * MiB,
							  "bus0", &win0), 0);
	assert_true(win0 == LOW_BASE + 32 * MiB);
	assert_int_equal(pcif_mmio_set_window(&a, win0, true), 0);
	assert_int_equal(pcif_mmio_allocate_bridge_window(&a, false, 32 * MiB,
							  "bus1", &win1), 0);
	assert_false(pcif_ranges_overlap(win0, 32 * MiB, win1, 32 * MiB));
	assert_true(win1 == LOW_BASE + 64 * MiB);
	assert_int_equal(pcif_mmio_set_window(&a, 0x1234, true),
			 PCIF_MMIO_NOT_FOUND);
}

/* ---- Alignment walk ---------------------------------------------------- */

static void alignment_walk(void **state)
{
	struct pcif_mmio_alloc a;
	uint64_t s;

	(void)state;
	/* A range starting off a 1 MiB boundary: first aligned start. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE + 0x3000, 64 * MiB), 0);
	s = must_allocate(&a, 0, UINT64_MAX, 4 * KiB, MiB, false);
	assert_true(s == LOW_BASE + MiB);
	s = must_allocate(&a, 0, UINT64_MAX, 4 * KiB, 4 * KiB, false);
	assert_true(s == LOW_BASE + 0x3000);

	/* Busy platform region at the start: the walk steps by align. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 64 * MiB), 0);
	assert_int_equal(pcif_mmio_mark_busy(&a, LOW_BASE, 0x1000, "fw"), 0);
	s = must_allocate(&a, 0, UINT64_MAX, 0x1000, 0x10000, false);
	assert_true(s == LOW_BASE + 0x10000);
	s = must_allocate(&a, 0, UINT64_MAX, 0x1000, 0x1000, false);
	assert_true(s == LOW_BASE + 0x1000);
	/* A block larger than its alignment steps over busy space. */
	s = must_allocate(&a, 0, UINT64_MAX, 0x3000, 0x1000, false);
	assert_true(s == LOW_BASE + 0x2000);

	/* Bad alignments are refused. */
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 0x1000, 0,
					    false, &s), PCIF_MMIO_INVALID);
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 0x1000,
					    0x3000, false, &s),
			 PCIF_MMIO_INVALID);
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 0, 0x1000,
					    false, &s), PCIF_MMIO_INVALID);
}

static void min_max_only_select_ranges(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t s;

	(void)state;
	init_default(&a, &c);
	/* min inside the low range: the low range is still walked from its
	 * start, so the result lies below min (Linux behaves the same). */
	s = must_allocate(&a, LOW_BASE + 256 * MiB, UINT64_MAX, 4 * KiB,
			  4 * KiB, false);
	assert_true(s == LOW_BASE);
	/* min = the low range's last byte: "range.end <= min" skips it. */
	s = must_allocate(&a, LOW_BASE + LOW_SIZE - 1, UINT64_MAX, 4 * KiB,
			  4 * KiB, false);
	assert_true(s == HIGH_BASE);
	/* max = the low base: "range.start >= max" skips every range. */
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, LOW_BASE, 4 * KiB,
					    4 * KiB, false, &s),
			 PCIF_MMIO_NOSPACE);
}

/* ---- Exhaustion --------------------------------------------------------- */

static void exhaustion_returns_nospace(void **state)
{
	struct pcif_mmio_alloc a;
	uint64_t s;
	unsigned i;

	(void)state;
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 64 * KiB), 0);
	for (i = 0; i < 8; i++) {
		s = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
		assert_true(s == LOW_BASE + i * 8 * KiB);
	}
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 8 * KiB,
					    4 * KiB, false, &s), -1);
	assert_int_equal(PCIF_MMIO_NOSPACE, -1);
	/* Larger than any range. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 64 * KiB), 0);
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 128 * KiB,
					    4 * KiB, false, &s),
			 PCIF_MMIO_NOSPACE);
	/* No range at all. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 4 * KiB,
					    4 * KiB, false, &s),
			 PCIF_MMIO_NOSPACE);
}

static void region_tables_fill_up(void **state)
{
	struct pcif_mmio_alloc a;
	uint64_t s;
	unsigned i;

	(void)state;
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 64 * MiB), 0);
	for (i = 0; i < PCIF_MMIO_MAX_REGIONS; i++)
		must_allocate(&a, 0, UINT64_MAX, 4 * KiB, 4 * KiB, false);
	assert_int_equal(pcif_mmio_allocate(&a, "x", 0, UINT64_MAX, 4 * KiB,
					    4 * KiB, false, &s),
			 PCIF_MMIO_FULL);
	assert_int_equal(pcif_mmio_mark_busy(&a, 0, 4 * KiB, "fw"),
			 PCIF_MMIO_FULL);
}

/* ---- Free --------------------------------------------------------------- */

static void free_and_reallocate(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t s, again;

	(void)state;
	init_default(&a, &c);
	s = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	assert_int_equal(a.shadow.count, 2);
	assert_int_equal(pcif_mmio_free(&a, s, 8 * KiB), 0);
	assert_int_equal(a.shadow.count, 1);
	assert_null(pcif_mmio_find_grant(&a, s));
	again = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	assert_true(again == s);

	/* Freeing what was never granted. */
	assert_int_equal(pcif_mmio_free(&a, LOW_BASE + 100 * MiB, 8 * KiB),
			 PCIF_MMIO_NOT_FOUND);
	assert_true(logged(&c, "Trying to free nonexistent resource"));
	assert_int_equal(pcif_mmio_free(&a, s, 0), PCIF_MMIO_INVALID);
}

static void free_inside_fb_leaves_shadow_alone(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t vram, cfg;

	(void)state;
	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, PCIF_FB_LFB, LOW_BASE, 8 * MiB), 0);
	vram = must_allocate(&a, 0, UINT64_MAX, 8 * MiB, MiB, true);
	cfg = must_allocate(&a, 0, UINT64_MAX, 8 * KiB, 4 * KiB, false);
	assert_int_equal(a.shadow.count, 2); /* fb_mmio + the window's twin */

	/* 2025 fix: the VRAM block never took a shadow, so none is released
	 * -- fb_mmio and the config window's twin stay. */
	assert_int_equal(pcif_mmio_free(&a, vram, 8 * MiB), 0);
	assert_int_equal(a.shadow.count, 2);
	assert_true(a.has_fb);
	assert_true(pcif_mmio_has_shadow(&a, cfg, 8 * KiB));
	assert_false(logged(&c, "nonexistent"));
	/* And the VRAM can be had again at the same place. */
	assert_true(must_allocate(&a, 0, UINT64_MAX, 8 * MiB, MiB, true) == vram);
}

/* ---- Config windows and bridge windows (§9.4) ------------------------- */

static void config_window_high_vs_legacy(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t s;

	(void)state;
	assert_true(pcif_config_window_min(PCIF_CFGWIN_LEGACY) == 0);
	assert_true(pcif_config_window_min(PCIF_CFGWIN_HIGH) == 4 * GiB);

	init_default(&a, &c);
	assert_int_equal(pcif_mmio_allocate_config_window(&a, PCIF_CFGWIN_LEGACY,
							  "vpci", &s), 0);
	assert_true(s == LOW_BASE);
	assert_int_equal(pcif_mmio_allocate_config_window(&a, PCIF_CFGWIN_HIGH,
							  "vpci", &s), 0);
	assert_true(s == HIGH_BASE);

	/* HIGH without a high gap: nothing. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, LOW_SIZE), 0);
	assert_int_equal(pcif_mmio_allocate_config_window(&a, PCIF_CFGWIN_HIGH,
							  "vpci", &s),
			 PCIF_MMIO_NOSPACE);
}

static void bridge_window_helpers(void **state)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t low, high;

	(void)state;
	assert_true(pcif_bridge_window_align(0) == 0);
	assert_true(pcif_bridge_window_align(1) == 1);
	assert_true(pcif_bridge_window_align(0x3000) == 0x2000);
	assert_true(pcif_bridge_window_align(0x100000) == 0x100000);
	assert_true(pcif_bridge_window_align(UINT64_MAX) == 1ull << 63);

	init_default(&a, &c);
	/* One 4 KiB config window first: the 12 KiB low window (8 KiB
	 * aligned) goes to the next 8 KiB boundary. */
	must_allocate(&a, 0, UINT64_MAX, 4 * KiB, 4 * KiB, false);
	assert_int_equal(pcif_mmio_allocate_bridge_window(&a, false, 0x3000,
							  "bus", &low), 0);
	assert_true(low == LOW_BASE + 0x2000);
	assert_int_equal(pcif_mmio_allocate_bridge_window(&a, true, 64 * MiB,
							  "bus", &high), 0);
	assert_true(high == HIGH_BASE);
	assert_int_equal(pcif_mmio_allocate_bridge_window(&a, true, 0, "bus",
							  &high),
			 PCIF_MMIO_INVALID);

	/* The low window never comes from above 4 GiB. */
	pcif_mmio_init(&a, NULL);
	assert_int_equal(pcif_mmio_add_range(&a, LOW_BASE, 16 * MiB), 0);
	assert_int_equal(pcif_mmio_add_range(&a, HIGH_BASE, HIGH_SIZE), 0);
	assert_int_equal(pcif_mmio_allocate_bridge_window(&a, false, 32 * MiB,
							  "bus", &low),
			 PCIF_MMIO_NOSPACE);
}

/* ---- The kdump stories --------------------------------------------------- */

/* First kernel: EFI framebuffer at lfb, reserved per policy; hyperv_drm
 * takes its 8 MiB VRAM, then pci-hyperv its window.  Returns the VRAM
 * base (the host keeps it claimed across the crash); *cfg_out gets the
 * first kernel's config window. */
static uint64_t first_kernel_vram(enum pcif_fb_policy policy, uint64_t lfb,
				  uint64_t *cfg_out)
{
	struct pcif_mmio_alloc a;
	struct captured_log c;
	uint64_t vram, cfg;

	init_default(&a, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&a, policy, lfb, 8 * MiB), 0);
	assert_int_equal(pcif_mmio_allocate_vram(&a, 8 * MiB, "synthvid", &vram),
			 0);
	assert_true(vram == lfb);
	assert_int_equal(pcif_mmio_allocate_config_window(&a, PCIF_CFGWIN_LEGACY,
							  "vpci", &cfg), 0);
	assert_false(pcif_ranges_overlap(cfg, PCIF_CONFIG_WINDOW_SIZE, vram,
					 8 * MiB));
	if (cfg_out)
		*cfg_out = cfg;
	return vram;
}

static void kdump_a_crash_kernel_takes_the_old_vram(void **state)
{
	struct pcif_mmio_alloc crash;
	struct captured_log c;
	uint64_t old_vram, old_cfg, cfg;

	(void)state;
	/* Pre-2026 first kernel, framebuffer at the low base: VRAM there,
	 * the config window right after the 8 MiB fb_mmio. */
	old_vram = first_kernel_vram(PCIF_FB_LFB, LOW_BASE, &old_cfg);
	assert_true(old_vram == LOW_BASE);
	assert_true(old_cfg == LOW_BASE + 8 * MiB);

	/* Crash kernel: lfb_base = 0, nothing reserved, pci-hyperv first. */
	init_default(&crash, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&crash, PCIF_FB_LFB, 0, 0),
			 PCIF_MMIO_FB_NOTHING);
	assert_int_equal(pcif_mmio_allocate_config_window(&crash,
							  PCIF_CFGWIN_LEGACY,
							  "vpci", &cfg), 0);
	assert_true(cfg == LOW_BASE);
	/* = the VRAM the host still holds: D0 entry would be refused. */
	assert_true(pcif_ranges_overlap(cfg, PCIF_CONFIG_WINDOW_SIZE,
					old_vram, 8 * MiB));
}

static void kdump_b_fallback_moves_the_window_past_128m(void **state)
{
	struct pcif_mmio_alloc crash;
	struct captured_log c;
	uint64_t old_vram, cfg;

	(void)state;
	old_vram = first_kernel_vram(PCIF_FB_LFB, LOW_BASE, NULL);
	init_default(&crash, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&crash, PCIF_FB_FALLBACK, 0, 0), 0);
	assert_int_equal(pcif_mmio_allocate_config_window(&crash,
							  PCIF_CFGWIN_LEGACY,
							  "vpci", &cfg), 0);
	assert_true(cfg == LOW_BASE + 128 * MiB);
	assert_false(pcif_ranges_overlap(cfg, PCIF_CONFIG_WINDOW_SIZE,
					 old_vram, 8 * MiB));
}

static void kdump_c_fallback_misses_vram_above_128m(void **state)
{
	struct pcif_mmio_alloc crash;
	struct captured_log c;
	uint64_t old_vram, cfg;

	(void)state;
	/* The first kernel's framebuffer sat at low base + 128 MiB. */
	old_vram = first_kernel_vram(PCIF_FB_FALLBACK, LOW_BASE + 128 * MiB,
				     NULL);
	assert_true(old_vram == LOW_BASE + 128 * MiB);

	init_default(&crash, &c);
	assert_int_equal(pcif_mmio_reserve_fb(&crash, PCIF_FB_FALLBACK, 0, 0), 0);
	assert_int_equal(pcif_mmio_allocate_config_window(&crash,
							  PCIF_CFGWIN_LEGACY,
							  "vpci", &cfg), 0);
	assert_true(cfg == LOW_BASE + 128 * MiB);
	/* The fallback guarded the wrong 128 MiB: conflict again. */
	assert_true(pcif_ranges_overlap(cfg, PCIF_CONFIG_WINDOW_SIZE,
					old_vram, 8 * MiB));
}

static void kdump_d_high_window_avoids_the_low_gap(void **state)
{
	struct pcif_mmio_alloc crash;
	struct captured_log c;
	uint64_t old_vram, cfg;

	(void)state;
	old_vram = first_kernel_vram(PCIF_FB_LFB, LOW_BASE, NULL);
	init_default(&crash, &c);
	assert_int_equal(pcif_mmio_allocate_config_window(&crash,
							  PCIF_CFGWIN_HIGH,
							  "vpci", &cfg), 0);
	assert_true(cfg == HIGH_BASE);
	assert_true(cfg >= 4 * GiB);
	assert_false(pcif_ranges_overlap(cfg, PCIF_CONFIG_WINDOW_SIZE,
					 old_vram, 8 * MiB));
}

static void kdump_e_video_first_keeps_the_window_clear(void **state)
{
	struct pcif_mmio_alloc crash;
	struct captured_log c;
	uint64_t vram, cfg;

	(void)state;
	/* Nothing reserved, but hyperv_drm probes before pci-hyperv. */
	init_default(&crash, &c);
	assert_int_equal(pcif_mmio_allocate_vram(&crash, 8 * MiB, "synthvid",
						 &vram), 0);
	assert_true(vram == LOW_BASE);
	/* Not from the fb pass: a shadow twin exists. */
	assert_true(pcif_mmio_has_shadow(&crash, vram, 8 * MiB));
	assert_int_equal(pcif_mmio_allocate_config_window(&crash,
							  PCIF_CFGWIN_LEGACY,
							  "vpci", &cfg), 0);
	assert_true(cfg == LOW_BASE + 8 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ranges_are_sorted_merged_and_filtered),
		cmocka_unit_test(fb_policy_none_reserves_nothing),
		cmocka_unit_test(fb_policy_lfb_reserves_at_least_8m),
		cmocka_unit_test(fb_policy_lfb_with_zero_base_reserves_nothing),
		cmocka_unit_test(fb_reservation_halves_until_it_fits),
		cmocka_unit_test(fb_reservation_is_made_under_the_first_range_only),
		cmocka_unit_test(fb_policy_fallback_uses_low_base_when_lfb_is_zero),
		cmocka_unit_test(fb_policy_fallback_keeps_a_valid_lfb_base),
		cmocka_unit_test(fb_policy_fallback_size_is_half_of_what_is_left),
		cmocka_unit_test(fb_policy_fallback_with_too_high_low_base_acts_as_lfb),
		cmocka_unit_test(fb_policy_fallback_with_lfb_below_low_base_acts_as_lfb),
		cmocka_unit_test(fb_overlap_ok_lands_inside_fb_without_shadow),
		cmocka_unit_test(fb_overlap_not_ok_skips_fb),
		cmocka_unit_test(candidate_straddling_fb_start_or_end_is_skipped),
		cmocka_unit_test(two_buses_never_overlap),
		cmocka_unit_test(alignment_walk),
		cmocka_unit_test(min_max_only_select_ranges),
		cmocka_unit_test(exhaustion_returns_nospace),
		cmocka_unit_test(region_tables_fill_up),
		cmocka_unit_test(free_and_reallocate),
		cmocka_unit_test(free_inside_fb_leaves_shadow_alone),
		cmocka_unit_test(config_window_high_vs_legacy),
		cmocka_unit_test(bridge_window_helpers),
		cmocka_unit_test(kdump_a_crash_kernel_takes_the_old_vram),
		cmocka_unit_test(kdump_b_fallback_moves_the_window_past_128m),
		cmocka_unit_test(kdump_c_fallback_misses_vram_above_128m),
		cmocka_unit_test(kdump_d_high_window_avoids_the_low_gap),
		cmocka_unit_test(kdump_e_video_first_keeps_the_window_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
