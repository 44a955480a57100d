/* SPDX-License-Identifier: MIT */
/*
 * The host's one record of who owns which guest-physical MMIO range.
 *
 * Every service claims and releases its ranges here (the synthvid VRAM,
 * each PCI bus's config window, assigned BARs), and every acceptance rule
 * reads it: no service special-cases another.  A claim names its owner,
 * its kind and the guest "boot" (VMBus connection) that made it, so the
 * host can explain a refusal by naming both ranges and both owners.
 *
 * Claims are not tied to the VMBus connection: a service decides what it
 * releases when the guest unloads.  The VRAM claim, as on Hyper-V, stays
 * until the guest names a new location -- kdump's conflict follows from
 * that rule alone.
 *
 * Acceptance rules, checked in this order:
 *   1. alignment: VRAM and config windows are 4 KiB aligned in base and
 *      size; a BAR is a power of two >= 16 bytes, based at a multiple of
 *      its size (the PCI rule -- a 256-byte BAR need not own a page);
 *   2. the range lies wholly inside one VMBus MMIO gap (memmap_gap_of);
 *   3. it overlaps no live claim, whoever holds it.
 *
 * Thread safety: every function takes one registry lock, so vCPU threads
 * (BAR programming through config space) and the VMBus thread may call
 * concurrently.  mmio_registry_find() returns a pointer into the table:
 * use it only where nothing else runs (tests, end-of-run reports);
 * mmio_registry_lookup() copies.
 */
#ifndef KVMBUS_MMIO_REGISTRY_H
#define KVMBUS_MMIO_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "firmware/memmap.h"

#define MMIO_REGISTRY_MAX_CLAIMS  64
#define MMIO_REGISTRY_MAX_REFUSED 32
#define MMIO_OWNER_LEN            24
#define MMIO_REGISTRY_PAGE        0x1000ull
/* Smallest PCI memory BAR. */
#define MMIO_REGISTRY_MIN_BAR     16ull

enum mmio_claim_kind {
	MMIO_CLAIM_VRAM,
	MMIO_CLAIM_CONFIG_WINDOW,
	MMIO_CLAIM_BAR,
};

struct mmio_claim {
	uint64_t base;
	uint64_t size;
	enum mmio_claim_kind kind;
	char owner[MMIO_OWNER_LEN];   /* "synthvid", "vpci0", "vpci1/slot0" */
	unsigned boot;                /* VMBus connection that made the claim */
	bool in_use;
};

/* A claim the registry turned down, kept for the MMIO map and summary. */
struct mmio_refusal {
	struct mmio_claim wanted;
	struct mmio_claim holder;     /* the claim it overlapped, if any */
	bool overlap;                 /* false: refused for another reason */
	char reason[64];
};

struct mmio_registry {
	const struct memmap *map;
	unsigned boot;                /* bumped on each new VMBus connection */
	struct mmio_claim claim[MMIO_REGISTRY_MAX_CLAIMS];
	/* The first MMIO_REGISTRY_MAX_REFUSED refusals: the first conflict
	 * of a run is the one that explains it.  nr_refused <= MAX;
	 * refusals_total counts them all. */
	struct mmio_refusal refused[MMIO_REGISTRY_MAX_REFUSED];
	unsigned nr_refused;
	unsigned refusals_total;
};

void mmio_registry_init(struct mmio_registry *r, const struct memmap *map);
/* A new guest VMBus connection (INITIATE_CONTACT accepted). */
void mmio_registry_new_boot(struct mmio_registry *r);

enum mmio_claim_result {
	MMIO_CLAIM_OK = 0,
	MMIO_CLAIM_OVERLAP,           /* *holder names who owns it */
	MMIO_CLAIM_OUTSIDE_GAPS,      /* not wholly inside one MMIO gap */
	MMIO_CLAIM_MISALIGNED,        /* breaks the kind's alignment rule */
	MMIO_CLAIM_FULL,
};

/* Claim [base, base + size) for owner.  An overlap with any live claim
 * is refused, the owner's own included: a service moving its range calls
 * mmio_registry_release() first or uses mmio_registry_move().  On
 * refusal the attempt is recorded (see refused[]) and, for an overlap,
 * *holder (if non-NULL) receives a copy of the conflicting claim.
 * owner may be NULL (recorded as ""); names are cut to 23 characters. */
enum mmio_claim_result mmio_registry_claim(struct mmio_registry *r,
					   const char *owner,
					   enum mmio_claim_kind kind,
					   uint64_t base, uint64_t size,
					   struct mmio_claim *holder);
/* Replace owner's claim of this kind by a new range, atomically: the old
 * range is released only if the new one is accepted.  The owner's old
 * claims of this kind do not count as overlaps, and all of them go on
 * success.  With no old claim this is a plain claim. */
enum mmio_claim_result mmio_registry_move(struct mmio_registry *r,
					  const char *owner,
					  enum mmio_claim_kind kind,
					  uint64_t base, uint64_t size,
					  struct mmio_claim *holder);
/* Release owner's claim of kind at base (base UINT64_MAX: all of that
 * owner's claims of that kind).  Returns how many were released. */
unsigned mmio_registry_release(struct mmio_registry *r, const char *owner,
			       enum mmio_claim_kind kind, uint64_t base);
/* The claim overlapping [base, base + size), or NULL.  Not thread-safe
 * (see above). */
const struct mmio_claim *mmio_registry_find(const struct mmio_registry *r,
					    uint64_t base, uint64_t size);
/* Thread-safe find: copies the claim overlapping [base, base + size) to
 * *out (if non-NULL) and returns true, or returns false. */
bool mmio_registry_lookup(const struct mmio_registry *r, uint64_t base,
			  uint64_t size, struct mmio_claim *out);
/* Copy up to max live claims, sorted by base, into out; returns how many
 * claims are live (which may exceed max).  For the MMIO map. */
unsigned mmio_registry_snapshot(const struct mmio_registry *r,
				struct mmio_claim *out, unsigned max);
/* True if the invariant holds: no two live claims overlap and each obeys
 * the acceptance rules (for reports/tests). */
bool mmio_registry_consistent(const struct mmio_registry *r);
/* "VRAM", "config window", "BAR". */
const char *mmio_claim_kind_name(enum mmio_claim_kind kind);
/* "synthvid VRAM [0xc0000000, 0xc0800000) claimed at boot 1", for logs. */
void mmio_claim_describe(const struct mmio_claim *c, char *buf, unsigned len);

#endif
