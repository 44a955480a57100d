// SPDX-License-Identifier: MIT
/*
 * The VMBus MMIO allocator: the decisions of Linux's vmbus_allocate_mmio,
 * vmbus_free_mmio and vmbus_reserve_fb (drivers/hv/vmbus_drv.c) over two
 * flat region tables that stand in for the iomem tree and the private
 * hyperv_mmio tree.  See mmio_alloc.h and protocol-facts §8.6, §9.
 */
#include "pci_front/mmio_alloc.h"

/* ---- Small arithmetic helpers (all overflow-safe) -------------------- */

static bool is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* *out = the first multiple of align >= v; false if that wraps past 2^64. */
static bool align_up(uint64_t v, uint64_t align, uint64_t *out)
{
	uint64_t rem = v & (align - 1);

	if (!rem) {
		*out = v;
		return true;
	}
	if (v > UINT64_MAX - (align - rem))
		return false;
	*out = v + (align - rem);
	return true;
}

/* Does [start, start + size - 1] end at or before last?  (size >= 1) */
static bool block_fits(uint64_t start, uint64_t size, uint64_t last)
{
	return start <= last && size - 1 <= last - start;
}

static bool span_overlaps(uint64_t a_start, uint64_t a_end,
			  uint64_t b_start, uint64_t b_end)
{
	return a_start <= b_end && b_start <= a_end;
}

static bool span_inside(uint64_t start, uint64_t end,
			uint64_t outer_start, uint64_t outer_end)
{
	return start >= outer_start && end <= outer_end;
}

bool pcif_ranges_overlap(uint64_t a_start, uint64_t a_size,
			 uint64_t b_start, uint64_t b_size)
{
	uint64_t a_end, b_end;

	if (!a_size || !b_size)
		return false;
	a_end = a_start + (a_size - 1);
	b_end = b_start + (b_size - 1);
	if (a_end < a_start)
		a_end = UINT64_MAX;
	if (b_end < b_start)
		b_end = UINT64_MAX;
	return span_overlaps(a_start, a_end, b_start, b_end);
}

static void log_span(const struct pcif_mmio_alloc *a, enum pcif_log_level lvl,
		     const char *what, uint64_t start, uint64_t end)
{
	struct pcif_text t;

	pcif_text_init(&t);
	pcif_text_str(&t, what);
	pcif_text_str(&t, " [");
	pcif_text_hex_alt(&t, start);
	pcif_text_str(&t, "-");
	pcif_text_hex_alt(&t, end);
	pcif_text_str(&t, "]");
	pcif_log_text(&a->log, lvl, &t);
}

/* ---- Region tables ----------------------------------------------------- */

/*
 * Linux __request_region: walking down from the root, a conflicting busy
 * resource ends the request; a conflicting non-busy one becomes the new
 * parent, so the request must lie wholly inside it.  Flattened: every
 * region the request overlaps must be non-busy and contain it.
 *
 * On refusal *busy_end (if any busy region was hit) is the highest end
 * among the busy regions hit: every later candidate starting at or below
 * it overlaps that region too, so a walk may jump past it.
 */
static bool tree_may_request(const struct pcif_mmio_tree *tree,
			     uint64_t start, uint64_t end,
			     bool *hit_busy, uint64_t *busy_end)
{
	bool ok = true;
	unsigned i;

	*hit_busy = false;
	*busy_end = 0;
	for (i = 0; i < tree->count; i++) {
		const struct pcif_mmio_region *r = &tree->region[i];

		if (!span_overlaps(start, end, r->start, r->end))
			continue;
		if (r->busy) {
			ok = false;
			if (!*hit_busy || r->end > *busy_end)
				*busy_end = r->end;
			*hit_busy = true;
		} else if (!span_inside(start, end, r->start, r->end)) {
			ok = false;
		}
	}
	return ok;
}

static bool tree_full(const struct pcif_mmio_tree *tree)
{
	return tree->count >= PCIF_MMIO_MAX_REGIONS;
}

static void tree_insert(struct pcif_mmio_tree *tree, uint64_t start,
			uint64_t end, enum pcif_mmio_kind kind, bool busy,
			const char *owner)
{
	struct pcif_mmio_region *r = &tree->region[tree->count++];

	r->start = start;
	r->end = end;
	r->kind = kind;
	r->busy = busy;
	r->owner = owner;
}

static int tree_find_exact(const struct pcif_mmio_tree *tree, uint64_t start,
			   uint64_t end, enum pcif_mmio_kind kind)
{
	unsigned i;

	for (i = 0; i < tree->count; i++) {
		const struct pcif_mmio_region *r = &tree->region[i];

		if (r->kind == kind && r->start == start && r->end == end)
			return (int)i;
	}
	return -1;
}

static void tree_remove(struct pcif_mmio_tree *tree, unsigned index)
{
	unsigned i;

	for (i = index; i + 1 < tree->count; i++)
		tree->region[i] = tree->region[i + 1];
	tree->count--;
}

/* ---- Setup ------------------------------------------------------------- */

void pcif_mmio_init(struct pcif_mmio_alloc *a, const struct pcif_log *log)
{
	a->nr_ranges = 0;
	a->global.count = 0;
	a->shadow.count = 0;
	a->has_fb = false;
	a->fb.start = 0;
	a->fb.end = 0;
	a->log.fn = log ? log->fn : NULL;
	a->log.ctx = log ? log->ctx : NULL;
}

/* Merge ranges that touch (Linux vmbus_walk_resources joins a range that
 * starts right after another ends, or ends right before it starts). */
static void merge_adjacent_ranges(struct pcif_mmio_alloc *a)
{
	unsigned i = 0, j;

	while (i + 1 < a->nr_ranges) {
		if (a->range[i].end != UINT64_MAX &&
		    a->range[i].end + 1 == a->range[i + 1].start) {
			a->range[i].end = a->range[i + 1].end;
			for (j = i + 1; j + 1 < a->nr_ranges; j++)
				a->range[j] = a->range[j + 1];
			a->nr_ranges--;
		} else {
			i++;
		}
	}
}

int pcif_mmio_add_range(struct pcif_mmio_alloc *a, uint64_t base,
			uint64_t size)
{
	uint64_t end;
	unsigned i, pos;

	if (!size || base > UINT64_MAX - (size - 1))
		return PCIF_MMIO_INVALID;
	end = base + (size - 1);
	/* Linux skips ranges that end below 1 MiB (legacy VGA and BIOS). */
	if (end < PCIF_MMIO_RANGE_MIN_END) {
		log_span(a, PCIF_LOG_DEBUG, "vmbus mmio: ignoring range below 1 MiB",
			 base, end);
		return PCIF_MMIO_OK;
	}
	for (i = 0; i < a->nr_ranges; i++)
		if (span_overlaps(base, end, a->range[i].start, a->range[i].end))
			return PCIF_MMIO_OVERLAP;
	if (a->nr_ranges >= PCIF_MMIO_MAX_RANGES)
		return PCIF_MMIO_FULL;

	/* Keep ascending order: Linux sorts the list as it builds it. */
	pos = 0;
	while (pos < a->nr_ranges && a->range[pos].start < base)
		pos++;
	for (i = a->nr_ranges; i > pos; i--)
		a->range[i] = a->range[i - 1];
	a->range[pos].start = base;
	a->range[pos].end = end;
	a->nr_ranges++;
	merge_adjacent_ranges(a);
	return PCIF_MMIO_OK;
}

int pcif_mmio_mark_busy(struct pcif_mmio_alloc *a, uint64_t base,
			uint64_t size, const char *owner)
{
	if (!size || base > UINT64_MAX - (size - 1))
		return PCIF_MMIO_INVALID;
	if (tree_full(&a->global))
		return PCIF_MMIO_FULL;
	tree_insert(&a->global, base, base + (size - 1), PCIF_MMIO_PLATFORM,
		    true, owner);
	return PCIF_MMIO_OK;
}

/* ---- Shadow requests under one range ------------------------------------ */

/* Linux __request_region(range, start, size, ...) in the hyperv_mmio tree:
 * the block must lie in the range and obey the request rule. */
static bool shadow_may_request(const struct pcif_mmio_alloc *a,
			       const struct pcif_mmio_range *range,
			       uint64_t start, uint64_t end,
			       bool *hit_busy, uint64_t *busy_end)
{
	*hit_busy = false;
	*busy_end = 0;
	if (!span_inside(start, end, range->start, range->end))
		return false;
	return tree_may_request(&a->shadow, start, end, hit_busy, busy_end);
}

/* ---- Framebuffer reservation ------------------------------------------- */

const char *pcif_fb_policy_name(enum pcif_fb_policy policy)
{
	switch (policy) {
	case PCIF_FB_NONE:
		return "none";
	case PCIF_FB_LFB:
		return "lfb";
	case PCIF_FB_FALLBACK:
		return "fallback";
	}
	return "?";
}

int pcif_mmio_reserve_fb(struct pcif_mmio_alloc *a, enum pcif_fb_policy policy,
			 uint64_t lfb_base, uint64_t lfb_size)
{
	uint64_t start, size, low_mmio_base;
	struct pcif_text t;

	if (policy == PCIF_FB_NONE)
		return PCIF_MMIO_FB_NOTHING;
	/* Linux only reserves once: the halving loop runs while !fb_mmio. */
	if (a->has_fb)
		return PCIF_MMIO_OK;
	if (!a->nr_ranges)
		return PCIF_MMIO_FB_NOTHING;

	/* Gen2: start = screen_info.lfb_base,
	 * size = max_t(__u32, screen_info.lfb_size, 8 MiB). */
	start = lfb_base;
	size = (uint32_t)lfb_size;
	if (size < PCIF_SZ_8M)
		size = PCIF_SZ_8M;

	if (policy == PCIF_FB_FALLBACK) {
		/* 2026: trust the low MMIO base (start of the first range)
		 * only if it is non-zero, below 4 GiB, and not above a
		 * non-zero lfb_base; else warn and keep the old rule. */
		low_mmio_base = a->range[0].start;
		if (!low_mmio_base || (low_mmio_base >> 32) ||
		    (start && start < low_mmio_base)) {
			pcif_text_init(&t);
			pcif_text_str(&t, "Unexpected low mmio base ");
			pcif_text_hex_alt(&t, low_mmio_base);
			pcif_log_text(&a->log, PCIF_LOG_WARN, &t);
		} else {
			/* kdump/kexec or CVM kernel: lfb_base 0 -> use the
			 * low MMIO base. */
			if (!start)
				start = low_mmio_base;
			/* Half of what is left below 4 GiB, at most 128 MiB. */
			size = (PCIF_SZ_4G - start) / 2;
			if (size > PCIF_SZ_128M)
				size = PCIF_SZ_128M;
		}
	}

	if (!start) {
		if (policy == PCIF_FB_FALLBACK)
			pcif_log_str(&a->log, PCIF_LOG_WARN,
				     "Unexpected framebuffer mmio base of zero");
		return PCIF_MMIO_FB_NOTHING;
	}

	/* "Make a claim for the frame buffer ... under the first node":
	 * shrink by halves until the request succeeds, down to 1 MiB. */
	for (; size >= PCIF_SZ_1M; size >>= 1) {
		bool hit_busy;
		uint64_t busy_end, end;

		if (start > UINT64_MAX - (size - 1))
			continue;
		end = start + (size - 1);
		if (!shadow_may_request(a, &a->range[0], start, end,
					&hit_busy, &busy_end))
			continue;
		if (tree_full(&a->shadow))
			return PCIF_MMIO_FULL;
		tree_insert(&a->shadow, start, end, PCIF_MMIO_FB, false,
			    "fb_mmio");
		a->has_fb = true;
		a->fb.start = start;
		a->fb.end = end;
		log_span(a, PCIF_LOG_INFO, "vmbus: fb_mmio reserved", start, end);
		return PCIF_MMIO_OK;
	}
	pcif_text_init(&t);
	pcif_text_str(&t, "vmbus: could not reserve fb_mmio at ");
	pcif_text_hex_alt(&t, start);
	pcif_log_text(&a->log, PCIF_LOG_WARN, &t);
	return PCIF_MMIO_NOSPACE;
}

/* ---- Allocation --------------------------------------------------------- */

static bool in_fb(const struct pcif_mmio_alloc *a, uint64_t addr)
{
	return a->has_fb && addr >= a->fb.start && addr <= a->fb.end;
}

/* The next candidate after start: one align step, or past the end of a
 * busy region every candidate up to it would hit.  False when the walk
 * would wrap. */
static bool next_candidate(uint64_t start, uint64_t align, bool jump,
			   uint64_t jump_past, uint64_t *next)
{
	uint64_t stepped, jumped;

	if (start > UINT64_MAX - align)
		return false;
	stepped = start + align;
	if (jump && jump_past >= stepped) {
		if (jump_past == UINT64_MAX ||
		    !align_up(jump_past + 1, align, &jumped))
			return false;
		stepped = jumped;
	}
	*next = stepped;
	return true;
}

/* Step 1 of §9.3: inside the already reserved fb_mmio, global request
 * only (fb_mmio is its own shadow). */
static bool allocate_in_fb(struct pcif_mmio_alloc *a, const char *owner,
			   uint64_t size, uint64_t align, uint64_t *start_out)
{
	uint64_t start;

	if (!align_up(a->fb.start, align, &start))
		return false;
	while (block_fits(start, size, a->fb.end)) {
		uint64_t end = start + (size - 1), busy_end;
		bool hit_busy;

		if (tree_may_request(&a->global, start, end, &hit_busy,
				     &busy_end)) {
			if (tree_full(&a->global))
				return false;
			tree_insert(&a->global, start, end, PCIF_MMIO_GRANT,
				    true, owner);
			*start_out = start;
			return true;
		}
		if (!next_candidate(start, align, hit_busy, busy_end, &start))
			return false;
	}
	return false;
}

int pcif_mmio_allocate(struct pcif_mmio_alloc *a, const char *owner,
		       uint64_t min, uint64_t max, uint64_t size,
		       uint64_t align, bool fb_overlap_ok,
		       uint64_t *start_out)
{
	unsigned i;

	if (!size || !is_power_of_two(align))
		return PCIF_MMIO_INVALID;

	/* 1. Overlap with the framebuffer allowed: try inside fb_mmio first
	 *    if it intersects [min, max]. */
	if (fb_overlap_ok && a->has_fb && !(min > a->fb.end) &&
	    !(max < a->fb.start)) {
		if (allocate_in_fb(a, owner, size, align, start_out))
			return PCIF_MMIO_OK;
	}

	/* 2. Walk the ranges in ascending order. */
	for (i = 0; i < a->nr_ranges; i++) {
		const struct pcif_mmio_range *range = &a->range[i];
		uint64_t start;

		/* Linux's skip test: min/max only choose ranges. */
		if (range->start >= max || range->end <= min)
			continue;
		if (!align_up(range->start, align, &start))
			continue;
		while (block_fits(start, size, range->end)) {
			uint64_t end = start + (size - 1), busy_end = 0;
			bool hit_busy = false;

			/* Not allowed on the framebuffer: skip a candidate
			 * whose first or last byte lies in fb_mmio. */
			if (!fb_overlap_ok && (in_fb(a, start) || in_fb(a, end))) {
				/* Every start up to fb's end is skipped too. */
				hit_busy = in_fb(a, start);
				busy_end = a->fb.end;
			} else if (!shadow_may_request(a, range, start, end,
						       &hit_busy, &busy_end)) {
				/* overlaps another bus's block */
			} else if (!tree_may_request(&a->global, start, end,
						     &hit_busy, &busy_end)) {
				/* Linux releases the shadow it just took */
			} else {
				if (tree_full(&a->shadow) || tree_full(&a->global))
					return PCIF_MMIO_FULL;
				tree_insert(&a->shadow, start, end,
					    PCIF_MMIO_SHADOW, true, owner);
				tree_insert(&a->global, start, end,
					    PCIF_MMIO_GRANT, true, owner);
				*start_out = start;
				return PCIF_MMIO_OK;
			}
			if (!next_candidate(start, align, hit_busy, busy_end,
					    &start))
				break;
		}
	}
	return PCIF_MMIO_NOSPACE;
}

int pcif_mmio_free(struct pcif_mmio_alloc *a, uint64_t start, uint64_t size)
{
	uint64_t end;
	int idx;

	if (!size || start > UINT64_MAX - (size - 1))
		return PCIF_MMIO_INVALID;
	end = start + (size - 1);

	/* 2025 fix: a block wholly inside fb_mmio was granted by the fb pass
	 * and never took a shadow region, so there is none to release. */
	if (!(a->has_fb && start >= a->fb.start && end <= a->fb.end)) {
		idx = tree_find_exact(&a->shadow, start, end, PCIF_MMIO_SHADOW);
		if (idx >= 0)
			tree_remove(&a->shadow, (unsigned)idx);
		else
			log_span(a, PCIF_LOG_WARN,
				 "Trying to free nonexistent shadow resource",
				 start, end);
	}

	idx = tree_find_exact(&a->global, start, end, PCIF_MMIO_GRANT);
	if (idx < 0) {
		log_span(a, PCIF_LOG_WARN, "Trying to free nonexistent resource",
			 start, end);
		return PCIF_MMIO_NOT_FOUND;
	}
	tree_remove(&a->global, (unsigned)idx);
	return PCIF_MMIO_OK;
}

int pcif_mmio_set_window(struct pcif_mmio_alloc *a, uint64_t start,
			 bool is_window)
{
	unsigned i;

	for (i = 0; i < a->global.count; i++) {
		struct pcif_mmio_region *r = &a->global.region[i];

		if (r->kind == PCIF_MMIO_GRANT && r->start == start) {
			r->busy = !is_window;
			return PCIF_MMIO_OK;
		}
	}
	return PCIF_MMIO_NOT_FOUND;
}

/* ---- The drivers' calls (§9.4) ----------------------------------------- */

uint64_t pcif_config_window_min(enum pcif_config_window_policy policy)
{
	return policy == PCIF_CFGWIN_HIGH ? PCIF_SZ_4G : 0;
}

const char *pcif_config_window_policy_name(enum pcif_config_window_policy p)
{
	return p == PCIF_CFGWIN_HIGH ? "high" : "legacy";
}

int pcif_mmio_allocate_config_window(struct pcif_mmio_alloc *a,
				     enum pcif_config_window_policy policy,
				     const char *owner, uint64_t *start_out)
{
	return pcif_mmio_allocate(a, owner, pcif_config_window_min(policy),
				  UINT64_MAX, PCIF_CONFIG_WINDOW_SIZE,
				  PCIF_CONFIG_WINDOW_ALIGN, false, start_out);
}

int pcif_mmio_allocate_vram(struct pcif_mmio_alloc *a, uint64_t size,
			    const char *owner, uint64_t *start_out)
{
	return pcif_mmio_allocate(a, owner, 0, UINT64_MAX, size,
				  PCIF_VRAM_ALIGN, true, start_out);
}

uint64_t pcif_bridge_window_align(uint64_t size)
{
	uint64_t p = 1;

	if (!size)
		return 0;
	while (p <= size / 2)
		p <<= 1;
	return p;
}

int pcif_mmio_allocate_bridge_window(struct pcif_mmio_alloc *a, bool high,
				     uint64_t size, const char *owner,
				     uint64_t *start_out)
{
	if (!size)
		return PCIF_MMIO_INVALID;
	if (high)
		return pcif_mmio_allocate(a, owner, PCIF_SZ_4G, UINT64_MAX,
					  size, pcif_bridge_window_align(size),
					  false, start_out);
	return pcif_mmio_allocate(a, owner, 0, 0xFFFFFFFFull, size,
				  pcif_bridge_window_align(size), false,
				  start_out);
}

/* ---- Queries ------------------------------------------------------------ */

const struct pcif_mmio_region *pcif_mmio_find_grant(
	const struct pcif_mmio_alloc *a, uint64_t start)
{
	unsigned i;

	for (i = 0; i < a->global.count; i++) {
		const struct pcif_mmio_region *r = &a->global.region[i];

		if (r->kind == PCIF_MMIO_GRANT && r->start == start)
			return r;
	}
	return NULL;
}

bool pcif_mmio_has_shadow(const struct pcif_mmio_alloc *a, uint64_t start,
			  uint64_t size)
{
	if (!size || start > UINT64_MAX - (size - 1))
		return false;
	return tree_find_exact(&a->shadow, start, start + (size - 1),
			       PCIF_MMIO_SHADOW) >= 0;
}
