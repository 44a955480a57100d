// SPDX-License-Identifier: MIT
/* mmio_registry: claims and releases, the three acceptance rules (kind
 * alignment, inside one gap, no overlap), refusal records naming both
 * owners, atomic move, boot stamping and the consistency invariant. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "firmware/memmap.h"
#include "vmbus/mmio_registry.h"

#define MIB  0x100000ull
#define LOW  MEMMAP_DEFAULT_LOW_MMIO_BASE
#define HIGH MEMMAP_DEFAULT_HIGH_MMIO_BASE

struct fixture {
	struct memmap map;
	struct mmio_registry reg;
};

static int setup(void **state)
{
	static struct fixture f;
	struct memmap_range low = { LOW, MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { HIGH, MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

	memset(&f, 0, sizeof(f));
	assert_int_equal(memmap_build(&f.map, 256 * MIB, low, high, NULL, 0), 0);
	mmio_registry_init(&f.reg, &f.map);
	*state = &f;
	return 0;
}

static void claim_find_release(void **state)
{
	struct fixture *f = *state;
	const struct mmio_claim *c;
	struct mmio_claim copy;

	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 0x10000, 0x2000, NULL),
			 MMIO_CLAIM_OK);
	c = mmio_registry_find(&f->reg, LOW + 0x11000, 1);
	assert_non_null(c);
	assert_string_equal(c->owner, "vpci0");
	assert_int_equal(c->kind, MMIO_CLAIM_CONFIG_WINDOW);
	assert_int_equal(c->base, LOW + 0x10000);
	assert_int_equal(c->size, 0x2000);
	/* Ranges that only touch it are free. */
	assert_null(mmio_registry_find(&f->reg, LOW + 0x12000, 0x1000));
	assert_null(mmio_registry_find(&f->reg, LOW + 0xF000, 0x1000));
	assert_true(mmio_registry_lookup(&f->reg, LOW + 0x10000, 4, &copy));
	assert_string_equal(copy.owner, "vpci0");

	/* Release needs the right owner and kind. */
	assert_int_equal(mmio_registry_release(&f->reg, "vpci1", MMIO_CLAIM_CONFIG_WINDOW,
					       UINT64_MAX), 0);
	assert_int_equal(mmio_registry_release(&f->reg, "vpci0", MMIO_CLAIM_BAR,
					       UINT64_MAX), 0);
	assert_int_equal(mmio_registry_release(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					       LOW + 0x10000), 1);
	assert_null(mmio_registry_find(&f->reg, LOW + 0x10000, 0x2000));
	assert_false(mmio_registry_lookup(&f->reg, LOW + 0x10000, 0x2000, &copy));
	/* Released space can be claimed again, by anyone. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci1", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 0x10000, 0x2000, NULL),
			 MMIO_CLAIM_OK);
	assert_true(mmio_registry_consistent(&f->reg));
}

static void release_all_of_an_owner(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					     LOW + 0x100000, 0x100, NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					     LOW + 0x100100, 0x100, NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot0", MMIO_CLAIM_BAR,
					     HIGH, 0x4000, NULL), MMIO_CLAIM_OK);
	/* One by base, then the rest. */
	assert_int_equal(mmio_registry_release(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					       LOW + 0x100100), 1);
	assert_int_equal(mmio_registry_release(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					       UINT64_MAX), 1);
	assert_non_null(mmio_registry_find(&f->reg, HIGH, 1));
}

static void overlap_refused_naming_the_holder(void **state)
{
	struct fixture *f = *state;
	struct mmio_claim holder;
	const struct mmio_refusal *rf;
	char text[128];

	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 8 * MIB, NULL), MMIO_CLAIM_OK);
	memset(&holder, 0, sizeof(holder));
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 0x4000, 0x2000, &holder),
			 MMIO_CLAIM_OVERLAP);
	assert_string_equal(holder.owner, "synthvid");
	assert_int_equal(holder.kind, MMIO_CLAIM_VRAM);
	assert_int_equal(holder.base, LOW);
	assert_int_equal(holder.size, 8 * MIB);

	/* Recorded with both ranges and both owners. */
	assert_int_equal(f->reg.nr_refused, 1);
	rf = &f->reg.refused[0];
	assert_true(rf->overlap);
	assert_string_equal(rf->wanted.owner, "vpci0");
	assert_int_equal(rf->wanted.base, LOW + 0x4000);
	assert_int_equal(rf->wanted.size, 0x2000);
	assert_string_equal(rf->holder.owner, "synthvid");
	assert_int_equal(rf->holder.base, LOW);
	assert_non_null(strstr(rf->reason, "synthvid"));

	mmio_claim_describe(&holder, text, sizeof(text));
	assert_string_equal(text, "synthvid VRAM [0xc0000000, 0xc0800000) claimed at boot 0");

	/* The same owner overlapping itself is an overlap too. */
	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 4096, NULL), MMIO_CLAIM_OVERLAP);
	/* A failed claim changed nothing. */
	assert_null(mmio_registry_find(&f->reg, LOW + 8 * MIB, 0x2000));
	assert_true(mmio_registry_consistent(&f->reg));
}

static void outside_gaps_refused(void **state)
{
	struct fixture *f = *state;

	/* RAM. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     0x100000, 0x2000, NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
	/* Straddling the low gap's end. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + MEMMAP_DEFAULT_LOW_MMIO_SIZE - 0x1000,
					     0x2000, NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
	/* Between the gaps; platform devices. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     0xFEE00000ull, 0x2000, NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
	/* Past the high gap. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot0", MMIO_CLAIM_BAR,
					     HIGH + MEMMAP_DEFAULT_HIGH_MMIO_SIZE, 0x4000,
					     NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
	/* Wrapping past 2^64 (outside every gap) and empty ranges never
	 * pass. */
	assert_int_equal(mmio_registry_claim(&f->reg, "x", MMIO_CLAIM_VRAM,
					     0xFFFFFFFFFFFFF000ull, 0x2000, NULL),
			 MMIO_CLAIM_OUTSIDE_GAPS);
	assert_int_equal(mmio_registry_claim(&f->reg, "x", MMIO_CLAIM_VRAM, LOW, 0, NULL),
			 MMIO_CLAIM_MISALIGNED);
	assert_int_equal(f->reg.nr_refused, 6);
	assert_false(f->reg.refused[0].overlap);
	assert_non_null(strstr(f->reg.refused[0].reason, "gaps"));
	assert_null(mmio_registry_find(&f->reg, 0, UINT64_MAX));
}

static void alignment_rules_by_kind(void **state)
{
	struct fixture *f = *state;

	/* Windows and VRAM: 4 KiB base and size. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 0x800, 0x2000, NULL),
			 MMIO_CLAIM_MISALIGNED);
	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 0x1800, NULL),
			 MMIO_CLAIM_MISALIGNED);
	/* BARs: power of two >= 16, naturally aligned, sub-page allowed. */
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					     LOW + 0x100, 0x100, NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					     LOW + 0x280, 0x100, NULL),
			 MMIO_CLAIM_MISALIGNED);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					     LOW + 0x300, 0x180, NULL),
			 MMIO_CLAIM_MISALIGNED);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot1", MMIO_CLAIM_BAR,
					     LOW + 0x400, 8, NULL),
			 MMIO_CLAIM_MISALIGNED);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0/slot0", MMIO_CLAIM_BAR,
					     HIGH + 0x2000, 0x4000, NULL),
			 MMIO_CLAIM_MISALIGNED);
	assert_true(mmio_registry_consistent(&f->reg));
}

static void move_is_atomic(void **state)
{
	struct fixture *f = *state;
	struct mmio_claim holder;
	const struct mmio_claim *c;

	assert_int_equal(mmio_registry_move(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					    LOW, 8 * MIB, NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 64 * MIB, 0x2000, NULL), MMIO_CLAIM_OK);
	/* Refused move: the old claim stays. */
	assert_int_equal(mmio_registry_move(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					    LOW + 60 * MIB, 8 * MIB, &holder),
			 MMIO_CLAIM_OVERLAP);
	assert_string_equal(holder.owner, "vpci0");
	c = mmio_registry_find(&f->reg, LOW, 1);
	assert_non_null(c);
	assert_string_equal(c->owner, "synthvid");
	/* A move may overlap the owner's own old range. */
	assert_int_equal(mmio_registry_move(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					    LOW + 4 * MIB, 8 * MIB, NULL), MMIO_CLAIM_OK);
	assert_null(mmio_registry_find(&f->reg, LOW, 4 * MIB));
	c = mmio_registry_find(&f->reg, LOW + 4 * MIB, 1);
	assert_non_null(c);
	assert_int_equal(c->size, 8 * MIB);
	/* Exactly one VRAM claim is left. */
	assert_int_equal(mmio_registry_release(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					       UINT64_MAX), 1);
	assert_true(mmio_registry_consistent(&f->reg));
}

static void move_works_when_full(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, MIB, NULL), MMIO_CLAIM_OK);
	for (unsigned i = 1; i < MMIO_REGISTRY_MAX_CLAIMS; i++)
		assert_int_equal(mmio_registry_claim(&f->reg, "filler", MMIO_CLAIM_CONFIG_WINDOW,
						     HIGH + i * 0x1000ull, 0x1000, NULL),
				 MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "late", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 32 * MIB, 0x1000, NULL), MMIO_CLAIM_FULL);
	assert_int_equal(mmio_registry_move(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					    LOW + 16 * MIB, MIB, NULL), MMIO_CLAIM_OK);
	assert_non_null(mmio_registry_find(&f->reg, LOW + 16 * MIB, 1));
	assert_null(mmio_registry_find(&f->reg, LOW, 1));
	assert_true(mmio_registry_consistent(&f->reg));
}

static void new_boot_stamps_claims(void **state)
{
	struct fixture *f = *state;
	struct mmio_claim holder;
	char text[128];

	assert_int_equal(f->reg.boot, 0);
	mmio_registry_new_boot(&f->reg);
	assert_int_equal(mmio_registry_claim(&f->reg, "synthvid", MMIO_CLAIM_VRAM,
					     LOW, 8 * MIB, NULL), MMIO_CLAIM_OK);
	mmio_registry_new_boot(&f->reg);      /* the crash kernel connects */
	assert_int_equal(f->reg.boot, 2);
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW, 0x2000, &holder), MMIO_CLAIM_OVERLAP);
	assert_int_equal(holder.boot, 1);
	assert_int_equal(f->reg.refused[0].wanted.boot, 2);
	mmio_claim_describe(&holder, text, sizeof(text));
	assert_non_null(strstr(text, "claimed at boot 1"));
	assert_int_equal(mmio_registry_claim(&f->reg, "vpci0", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + 8 * MIB, 0x2000, NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_find(&f->reg, LOW + 8 * MIB, 1)->boot, 2);
}

static void refusal_log_keeps_the_first(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_REFUSED + 5; i++)
		assert_int_equal(mmio_registry_claim(&f->reg, "vpci0",
						     MMIO_CLAIM_CONFIG_WINDOW,
						     0x100000 + i * 0x1000ull, 0x1000, NULL),
				 MMIO_CLAIM_OUTSIDE_GAPS);
	assert_int_equal(f->reg.nr_refused, MMIO_REGISTRY_MAX_REFUSED);
	assert_int_equal(f->reg.refusals_total, MMIO_REGISTRY_MAX_REFUSED + 5);
	assert_int_equal(f->reg.refused[0].wanted.base, 0x100000);
}

static void snapshot_sorted(void **state)
{
	struct fixture *f = *state;
	struct mmio_claim out[2];

	assert_int_equal(mmio_registry_claim(&f->reg, "c", MMIO_CLAIM_BAR, HIGH, 0x4000,
					     NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "a", MMIO_CLAIM_VRAM, LOW, MIB,
					     NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "b", MMIO_CLAIM_CONFIG_WINDOW,
					     LOW + MIB, 0x2000, NULL), MMIO_CLAIM_OK);
	/* Three live, the two lowest returned in order. */
	assert_int_equal(mmio_registry_snapshot(&f->reg, out, 2), 3);
	assert_string_equal(out[0].owner, "a");
	assert_string_equal(out[1].owner, "b");
	assert_int_equal(mmio_registry_snapshot(&f->reg, NULL, 0), 3);
}

static void consistency_invariant_detects_corruption(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mmio_registry_claim(&f->reg, "a", MMIO_CLAIM_VRAM, LOW, MIB,
					     NULL), MMIO_CLAIM_OK);
	assert_int_equal(mmio_registry_claim(&f->reg, "b", MMIO_CLAIM_VRAM, LOW + MIB,
					     MIB, NULL), MMIO_CLAIM_OK);
	assert_true(mmio_registry_consistent(&f->reg));
	/* Forge an overlap behind the registry's back. */
	for (unsigned i = 0; i < MMIO_REGISTRY_MAX_CLAIMS; i++)
		if (f->reg.claim[i].in_use && f->reg.claim[i].base == LOW + MIB)
			f->reg.claim[i].base = LOW + MIB / 2;
	assert_false(mmio_registry_consistent(&f->reg));
}

static void long_owner_names_are_cut(void **state)
{
	struct fixture *f = *state;
	const struct mmio_claim *c;

	assert_int_equal(mmio_registry_claim(&f->reg, "a-very-long-owner-name-indeed",
					     MMIO_CLAIM_VRAM, LOW, MIB, NULL),
			 MMIO_CLAIM_OK);
	c = mmio_registry_find(&f->reg, LOW, 1);
	assert_int_equal(strlen(c->owner), MMIO_OWNER_LEN - 1);
	/* Release matches the same cut name. */
	assert_int_equal(mmio_registry_release(&f->reg, "a-very-long-owner-name-indeed",
					       MMIO_CLAIM_VRAM, UINT64_MAX), 1);
	assert_int_equal(mmio_registry_claim(&f->reg, NULL, MMIO_CLAIM_VRAM, LOW, MIB,
					     NULL), MMIO_CLAIM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(claim_find_release, setup),
		cmocka_unit_test_setup(release_all_of_an_owner, setup),
		cmocka_unit_test_setup(overlap_refused_naming_the_holder, setup),
		cmocka_unit_test_setup(outside_gaps_refused, setup),
		cmocka_unit_test_setup(alignment_rules_by_kind, setup),
		cmocka_unit_test_setup(move_is_atomic, setup),
		cmocka_unit_test_setup(move_works_when_full, setup),
		cmocka_unit_test_setup(new_boot_stamps_claims, setup),
		cmocka_unit_test_setup(refusal_log_keeps_the_first, setup),
		cmocka_unit_test_setup(snapshot_sorted, setup),
		cmocka_unit_test_setup(consistency_invariant_detects_corruption, setup),
		cmocka_unit_test_setup(long_owner_names_are_cut, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
