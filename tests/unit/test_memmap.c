// SPDX-License-Identifier: MIT
/* memmap: RAM laid out around the two VMBus MMIO gaps, every layout rule
 * refused with a message that names the numbers, and memmap_gap_of(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "firmware/memmap.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static const struct memmap_range def_low = {
	MEMMAP_DEFAULT_LOW_MMIO_BASE, MEMMAP_DEFAULT_LOW_MMIO_SIZE };
static const struct memmap_range def_high = {
	MEMMAP_DEFAULT_HIGH_MMIO_BASE, MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

/* Build and expect failure whose message contains `needle`. */
static void expect_refused(uint64_t ram, struct memmap_range low,
			   struct memmap_range high, const char *needle)
{
	struct memmap m;
	char err[256] = "";

	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(memmap_build(&m, ram, low, high, err, sizeof(err)),
			 -1);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	/* A refused build leaves the map untouched. */
	assert_int_equal(m.nr_ram, 0x5a5a5a5a);
}

static void small_ram_fits_below_the_low_gap(void **state)
{
	struct memmap m;
	char err[256];

	(void)state;
	assert_int_equal(memmap_build(&m, 256 * MiB, def_low, def_high, err,
				      sizeof(err)), 0);
	assert_int_equal(m.nr_ram, 1);
	assert_int_equal(m.ram[0].base, 0);
	assert_int_equal(m.ram[0].size, 256 * MiB);
	assert_int_equal(m.low_mmio.base, def_low.base);
	assert_int_equal(m.low_mmio.size, def_low.size);
	assert_int_equal(m.high_mmio.base, def_high.base);
	assert_int_equal(m.high_mmio.size, def_high.size);
}

static void ram_exactly_up_to_the_low_gap_is_one_bank(void **state)
{
	struct memmap m;

	(void)state;
	assert_int_equal(memmap_build(&m, def_low.base, def_low, def_high,
				      NULL, 0), 0);
	assert_int_equal(m.nr_ram, 1);
	assert_int_equal(m.ram[0].size, def_low.base);
}

static void large_ram_splits_at_the_low_gap_and_resumes_at_4g(void **state)
{
	struct memmap m;

	(void)state;
	assert_int_equal(memmap_build(&m, 4 * GiB, def_low, def_high, NULL, 0),
			 0);
	assert_int_equal(m.nr_ram, 2);
	assert_int_equal(m.ram[0].base, 0);
	assert_int_equal(m.ram[0].size, 3 * GiB);
	assert_int_equal(m.ram[1].base, MEMMAP_4G);
	assert_int_equal(m.ram[1].size, 1 * GiB);
}

static void ram_may_end_exactly_at_the_high_gap(void **state)
{
	struct memmap m;
	/* 3 GiB low + 60 GiB from 4 GiB to 64 GiB. */
	uint64_t ram = 3 * GiB + (def_high.base - MEMMAP_4G);

	(void)state;
	assert_int_equal(memmap_build(&m, ram, def_low, def_high, NULL, 0), 0);
	assert_int_equal(m.ram[1].base + m.ram[1].size, def_high.base);
	expect_refused(ram + 2 * MiB, def_low, def_high, "0x1000000000");
}

static void ram_size_rules(void **state)
{
	(void)state;
	expect_refused(0, def_low, def_high, "minimum");
	expect_refused(14 * MiB, def_low, def_high, "0xe00000");
	expect_refused(17 * MiB, def_low, def_high, "2 MiB");
	expect_refused(64 * MiB + 4096, def_low, def_high, "0x4001000");
	/* Huge RAM must not overflow anything. */
	expect_refused(UINT64_MAX & ~(2 * MiB - 1), def_low, def_high,
		       "does not fit");
}

static void gap_alignment_and_emptiness(void **state)
{
	struct memmap_range r;

	(void)state;
	r = def_low; r.size = 0;
	expect_refused(256 * MiB, r, def_high, "low MMIO gap is empty");
	r = def_high; r.size = 0;
	expect_refused(256 * MiB, def_low, r, "high MMIO gap is empty");
	r = def_low; r.base += 1 * MiB;
	expect_refused(256 * MiB, r, def_high, "0xc0100000");
	r = def_low; r.size = 3 * MiB;
	expect_refused(256 * MiB, r, def_high, "2 MiB");
	r = def_high; r.base += 4096;
	expect_refused(256 * MiB, def_low, r, "0x1000001000");
	r = def_high; r.size = 5 * MiB;
	expect_refused(256 * MiB, def_low, r, "2 MiB");
}

static void low_gap_placement(void **state)
{
	struct memmap_range r;
	struct memmap m;

	(void)state;
	/* Below 64 MiB: no room for the boot area and the guest. */
	r = (struct memmap_range){ 32 * MiB, 64 * MiB };
	expect_refused(256 * MiB, r, def_high, "0x2000000");
	/* Exactly 64 MiB is the lowest allowed. */
	r = (struct memmap_range){ 64 * MiB, 64 * MiB };
	assert_int_equal(memmap_build(&m, 256 * MiB, r, def_high, NULL, 0), 0);
	assert_int_equal(m.nr_ram, 2);
	assert_int_equal(m.ram[0].size, 64 * MiB);
	assert_int_equal(m.ram[1].size, 192 * MiB);
	/* Ending past the platform devices at 0xFEC00000. */
	r = (struct memmap_range){ 0xC0000000ull, 0x3EE00000ull };
	expect_refused(256 * MiB, r, def_high, "0xfec00000");
	/* A size that would wrap 2^64. */
	r = (struct memmap_range){ 0xC0000000ull, 0ull - 0xC0000000ull };
	expect_refused(256 * MiB, r, def_high, "wraps");
}

static void high_gap_placement(void **state)
{
	struct memmap_range r;

	(void)state;
	r = (struct memmap_range){ 0xC0000000ull, 32 * MiB };
	expect_refused(256 * MiB, def_low, r, "below 4 GiB");
	r = (struct memmap_range){ 64 * GiB, 4 * GiB };
	expect_refused(256 * MiB, def_low, r, "0x100000000");
	r = (struct memmap_range){ MEMMAP_MAX_PHYS - 2 * MiB, 4 * MiB };
	expect_refused(256 * MiB, def_low, r, "0x8000000000");
	r = (struct memmap_range){ 0ull - 2 * MiB, 2 * MiB };
	expect_refused(256 * MiB, def_low, r, "wraps");
}

static void high_gap_at_4g_leaves_no_room_for_high_ram(void **state)
{
	struct memmap_range r = { MEMMAP_4G, 512 * MiB };
	struct memmap m;

	(void)state;
	assert_int_equal(memmap_build(&m, 3 * GiB, def_low, r, NULL, 0), 0);
	expect_refused(3 * GiB + 2 * MiB, def_low, r, "0x200000");
}

static void null_arguments(void **state)
{
	char err[64];

	(void)state;
	assert_int_equal(memmap_build(NULL, 256 * MiB, def_low, def_high, err,
				      sizeof(err)), -1);
	assert_int_equal(memmap_gap_of(NULL, 0xC0000000ull, 1), 0);
}

static void gap_of_finds_the_gap_that_holds_a_range(void **state)
{
	struct memmap m;

	(void)state;
	assert_int_equal(memmap_build(&m, 4 * GiB, def_low, def_high, NULL, 0),
			 0);
	assert_int_equal(memmap_gap_of(&m, 0xC0000000ull, 0x2000), 1);
	assert_int_equal(memmap_gap_of(&m, 0xC0000000ull, def_low.size), 1);
	assert_int_equal(memmap_gap_of(&m, 0xFEBFF000ull, 0x1000), 1);
	assert_int_equal(memmap_gap_of(&m, def_high.base, def_high.size), 2);
	assert_int_equal(memmap_gap_of(&m, def_high.base + 0x1000, 8), 2);

	/* Straddling an end, in RAM, or between the gaps. */
	assert_int_equal(memmap_gap_of(&m, 0xFEBFF000ull, 0x2000), 0);
	assert_int_equal(memmap_gap_of(&m, 0xBFFFF000ull, 0x2000), 0);
	assert_int_equal(memmap_gap_of(&m, 0x1000, 0x1000), 0);
	assert_int_equal(memmap_gap_of(&m, MEMMAP_4G, 0x1000), 0);
	assert_int_equal(memmap_gap_of(&m, def_high.base + def_high.size, 1),
			 0);
	/* Spanning both gaps. */
	assert_int_equal(memmap_gap_of(&m, 0xC0000000ull,
				       def_high.base + 1 - 0xC0000000ull), 0);
	/* Empty and wrapping ranges. */
	assert_int_equal(memmap_gap_of(&m, 0xC0000000ull, 0), 0);
	assert_int_equal(memmap_gap_of(&m, 0xC0000000ull, UINT64_MAX), 0);
	assert_int_equal(memmap_gap_of(&m, UINT64_MAX, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_ram_fits_below_the_low_gap),
		cmocka_unit_test(ram_exactly_up_to_the_low_gap_is_one_bank),
		cmocka_unit_test(large_ram_splits_at_the_low_gap_and_resumes_at_4g),
		cmocka_unit_test(ram_may_end_exactly_at_the_high_gap),
		cmocka_unit_test(ram_size_rules),
		cmocka_unit_test(gap_alignment_and_emptiness),
		cmocka_unit_test(low_gap_placement),
		cmocka_unit_test(high_gap_placement),
		cmocka_unit_test(high_gap_at_4g_leaves_no_room_for_high_ram),
		cmocka_unit_test(null_arguments),
		cmocka_unit_test(gap_of_finds_the_gap_that_holds_a_range),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
