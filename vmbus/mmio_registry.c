// SPDX-License-Identifier: MIT
/*
 * The host's one MMIO ownership registry (see vmbus/mmio_registry.h).
 *
 * The table is small (64 claims) and changes rarely -- at D0 entry, BAR
 * programming, VRAM moves -- so every operation is a linear scan under
 * one lock.  A refusal is recorded with both ranges and both owners so
 * the end-of-run summary can explain a conflict without a trace.
 */
#include "vmbus/mmio_registry.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* One lock for every registry: there is one per VMM, and tests that make
 * several do not contend. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

/* [base, base + size) without wrapping past 2^64; size 0 is no range. */
static bool range_valid(uint64_t base, uint64_t size)
{
	return size != 0 && size - 1 <= UINT64_MAX - base;
}

static bool ranges_overlap(uint64_t a_base, uint64_t a_size,
			   uint64_t b_base, uint64_t b_size)
{
	return a_base <= b_base + (b_size - 1) && b_base <= a_base + (a_size - 1);
}

static bool is_power_of_two(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Rule 1 of the header: the kind's alignment. */
static bool aligned_for_kind(enum mmio_claim_kind kind, uint64_t base,
			     uint64_t size)
{
	if (kind == MMIO_CLAIM_BAR)
		return size >= MMIO_REGISTRY_MIN_BAR && is_power_of_two(size) &&
		       (base & (size - 1)) == 0;
	return (base % MMIO_REGISTRY_PAGE) == 0 &&
	       (size % MMIO_REGISTRY_PAGE) == 0;
}

static void copy_owner(char dst[MMIO_OWNER_LEN], const char *owner)
{
	snprintf(dst, MMIO_OWNER_LEN, "%s", owner ? owner : "");
}

static bool same_owner(const struct mmio_claim *c, const char *owner,
		       enum mmio_claim_kind kind)
{
	char name[MMIO_OWNER_LEN];

	copy_owner(name, owner);
	return c->in_use && c->kind == kind && strcmp(c->owner, name) == 0;
}

void mmio_registry_init(struct mmio_registry *r, const struct memmap *map)
{
	pthread_mutex_lock(&registry_lock);
	memset(r, 0, sizeof(*r));
	r->map = map;
	pthread_mutex_unlock(&registry_lock);
}

void mmio_registry_new_boot(struct mmio_registry *r)
{
	pthread_mutex_lock(&registry_lock);
	r->boot++;
	pthread_mutex_unlock(&registry_lock);
}

static void record_refusal(struct mmio_registry *r, const struct mmio_claim *wanted,
			   const struct mmio_claim *holder, const char *reason)
{
	r->refusals_total++;
	if (r->nr_refused >= MMIO_REGISTRY_MAX_REFUSED)
		return;
	struct mmio_refusal *f = &r->refused[r->nr_refused++];

	memset(f, 0, sizeof(*f));
	f->wanted = *wanted;
	if (holder) {
		f->holder = *holder;
		f->overlap = true;
	}
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
}

/* The first live claim overlapping the range, skipping the claims of
 * (skip_owner, skip_kind) when skip_owner is non-NULL. */
static const struct mmio_claim *find_overlap(const struct mmio_registry *r,
					     uint64_t base, uint64_t size,
					     const char *skip_owner,
					     enum mmio_claim_kind skip_kind)
{
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++) {
		const struct mmio_claim *c = &r->claim[i];

		if (!c->in_use)
			continue;
		if (skip_owner && same_owner(c, skip_owner, skip_kind))
			continue;
		if (ranges_overlap(c->base, c->size, base, size))
			return c;
	}
	return NULL;
}

/* The acceptance rules; on success *slot is a free entry (or one the
 * caller will free, for a move).  Records refusals. */
static enum mmio_claim_result check_claim(struct mmio_registry *r,
					  const struct mmio_claim *wanted,
					  const char *move_owner,
					  struct mmio_claim *holder,
					  struct mmio_claim **slot)
{
	const struct mmio_claim *other;
	char reason[64];

	/* A range past 2^64 lies in no gap, whatever its alignment. */
	if (wanted->size != 0 && !range_valid(wanted->base, wanted->size)) {
		record_refusal(r, wanted, NULL, "wraps past the top of the "
			       "address space, outside the VMBus MMIO gaps");
		return MMIO_CLAIM_OUTSIDE_GAPS;
	}
	if (!range_valid(wanted->base, wanted->size) ||
	    !aligned_for_kind(wanted->kind, wanted->base, wanted->size)) {
		snprintf(reason, sizeof(reason), "%s misaligned",
			 mmio_claim_kind_name(wanted->kind));
		record_refusal(r, wanted, NULL, reason);
		return MMIO_CLAIM_MISALIGNED;
	}
	if (memmap_gap_of(r->map, wanted->base, wanted->size) == 0) {
		record_refusal(r, wanted, NULL, "outside the VMBus MMIO gaps");
		return MMIO_CLAIM_OUTSIDE_GAPS;
	}
	other = find_overlap(r, wanted->base, wanted->size, move_owner,
			     wanted->kind);
	if (other) {
		snprintf(reason, sizeof(reason), "overlaps %s %s", other->owner,
			 mmio_claim_kind_name(other->kind));
		record_refusal(r, wanted, other, reason);
		if (holder)
			*holder = *other;
		return MMIO_CLAIM_OVERLAP;
	}
	*slot = NULL;
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS && !*slot; i++) {
		if (!r->claim[i].in_use)
			*slot = &r->claim[i];
	}
	/* A move frees the owner's old entry, so a full table still has
	 * room for the replacement. */
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS && !*slot && move_owner; i++) {
		if (same_owner(&r->claim[i], move_owner, wanted->kind))
			*slot = &r->claim[i];
	}
	if (!*slot) {
		record_refusal(r, wanted, NULL, "registry full");
		return MMIO_CLAIM_FULL;
	}
	return MMIO_CLAIM_OK;
}

static void make_claim(const struct mmio_registry *r, struct mmio_claim *c,
		       const char *owner, enum mmio_claim_kind kind,
		       uint64_t base, uint64_t size)
{
	memset(c, 0, sizeof(*c));
	c->base = base;
	c->size = size;
	c->kind = kind;
	copy_owner(c->owner, owner);
	c->boot = r->boot;
	c->in_use = true;
}

enum mmio_claim_result mmio_registry_claim(struct mmio_registry *r,
					   const char *owner,
					   enum mmio_claim_kind kind,
					   uint64_t base, uint64_t size,
					   struct mmio_claim *holder)
{
	struct mmio_claim wanted, *slot;
	enum mmio_claim_result res;

	pthread_mutex_lock(&registry_lock);
	make_claim(r, &wanted, owner, kind, base, size);
	res = check_claim(r, &wanted, NULL, holder, &slot);
	if (res == MMIO_CLAIM_OK)
		*slot = wanted;
	pthread_mutex_unlock(&registry_lock);
	return res;
}

enum mmio_claim_result mmio_registry_move(struct mmio_registry *r,
					  const char *owner,
					  enum mmio_claim_kind kind,
					  uint64_t base, uint64_t size,
					  struct mmio_claim *holder)
{
	struct mmio_claim wanted, *slot;
	enum mmio_claim_result res;

	pthread_mutex_lock(&registry_lock);
	make_claim(r, &wanted, owner, kind, base, size);
	res = check_claim(r, &wanted, owner, holder, &slot);
	if (res == MMIO_CLAIM_OK) {
		/* Only now, with the new range accepted, does the old go. */
		for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++) {
			if (same_owner(&r->claim[i], owner, kind))
				r->claim[i].in_use = false;
		}
		*slot = wanted;
	}
	pthread_mutex_unlock(&registry_lock);
	return res;
}

unsigned mmio_registry_release(struct mmio_registry *r, const char *owner,
			       enum mmio_claim_kind kind, uint64_t base)
{
	unsigned released = 0;

	pthread_mutex_lock(&registry_lock);
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++) {
		struct mmio_claim *c = &r->claim[i];

		if (!same_owner(c, owner, kind))
			continue;
		if (base != UINT64_MAX && c->base != base)
			continue;
		c->in_use = false;
		released++;
	}
	pthread_mutex_unlock(&registry_lock);
	return released;
}

const struct mmio_claim *mmio_registry_find(const struct mmio_registry *r,
					    uint64_t base, uint64_t size)
{
	const struct mmio_claim *c = NULL;

	if (!range_valid(base, size))
		return NULL;
	pthread_mutex_lock(&registry_lock);
	c = find_overlap(r, base, size, NULL, MMIO_CLAIM_VRAM);
	pthread_mutex_unlock(&registry_lock);
	return c;
}

bool mmio_registry_lookup(const struct mmio_registry *r, uint64_t base,
			  uint64_t size, struct mmio_claim *out)
{
	const struct mmio_claim *c;

	if (!range_valid(base, size))
		return false;
	pthread_mutex_lock(&registry_lock);
	c = find_overlap(r, base, size, NULL, MMIO_CLAIM_VRAM);
	if (c && out)
		*out = *c;
	pthread_mutex_unlock(&registry_lock);
	return c != NULL;
}

unsigned mmio_registry_snapshot(const struct mmio_registry *r,
				struct mmio_claim *out, unsigned max)
{
	unsigned live = 0;

	pthread_mutex_lock(&registry_lock);
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++) {
		const struct mmio_claim *c = &r->claim[i];

		if (!c->in_use)
			continue;
		/* Insertion sort by base into the first max slots. */
		unsigned n = live < max ? live : max;
		unsigned at = n;

		while (at > 0 && out[at - 1].base > c->base)
			at--;
		if (at < max) {
			unsigned keep = n < max ? n : max - 1;

			memmove(&out[at + 1], &out[at],
				(keep - at) * sizeof(out[0]));
			out[at] = *c;
		}
		live++;
	}
	pthread_mutex_unlock(&registry_lock);
	return live;
}

bool mmio_registry_consistent(const struct mmio_registry *r)
{
	bool ok = true;

	pthread_mutex_lock(&registry_lock);
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS && ok; i++) {
		const struct mmio_claim *a = &r->claim[i];

		if (!a->in_use)
			continue;
		if (!range_valid(a->base, a->size) ||
		    !aligned_for_kind(a->kind, a->base, a->size) ||
		    memmap_gap_of(r->map, a->base, a->size) == 0) {
			ok = false;
			break;
		}
		for (unsigned j = i + 1; j < MMIO_REGISTRY_MAX_CLAIMS; j++) {
			const struct mmio_claim *b = &r->claim[j];

			if (b->in_use &&
			    ranges_overlap(a->base, a->size, b->base, b->size)) {
				ok = false;
				break;
			}
		}
	}
	pthread_mutex_unlock(&registry_lock);
	return ok;
}

const char *mmio_claim_kind_name(enum mmio_claim_kind kind)
{
	switch (kind) {
	case MMIO_CLAIM_VRAM:
		return "VRAM";
	case MMIO_CLAIM_CONFIG_WINDOW:
		return "config window";
	case MMIO_CLAIM_BAR:
		return "BAR";
	}
	return "?";
}

void mmio_claim_describe(const struct mmio_claim *c, char *buf, unsigned len)
{
	if (!buf || len == 0)
		return;
	snprintf(buf, len, "%s %s [0x%llx, 0x%llx) claimed at boot %u",
		 c->owner, mmio_claim_kind_name(c->kind),
		 (unsigned long long)c->base,
		 (unsigned long long)(c->base + c->size), c->boot);
}
