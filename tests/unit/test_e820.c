// SPDX-License-Identifier: MIT
/*
 * The E820 map handed to Linux: RAM from the memory map's banks, the
 * ACPI/BIOS area reserved, and both VMBus MMIO gaps left as holes --
 * never RAM, never reserved -- whatever the RAM size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "firmware/acpi.h"
#include "firmware/e820.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static struct memmap build_map(uint64_t ram, struct memmap_range low,
			       struct memmap_range high)
{
	struct memmap m;
	char err[256];

	assert_int_equal(memmap_build(&m, ram, low, high, err, sizeof(err)), 0);
	return m;
}

static const struct memmap_range def_low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
					     MEMMAP_DEFAULT_LOW_MMIO_SIZE };
static const struct memmap_range def_high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
					      MEMMAP_DEFAULT_HIGH_MMIO_SIZE };

static bool overlaps(const struct e820_entry *e, struct memmap_range r)
{
	return e->addr < r.base + r.size && r.base < e->addr + e->size;
}

/* Sorted, disjoint, and no entry of any type touches a gap. */
static void check_invariants(const struct e820_map *e, const struct memmap *m)
{
	for (unsigned i = 0; i < e->nr; i++) {
		assert_true(e->entry[i].size > 0);
		assert_false(overlaps(&e->entry[i], m->low_mmio));
		assert_false(overlaps(&e->entry[i], m->high_mmio));
		if (i)
			assert_true(e->entry[i - 1].addr + e->entry[i - 1].size <=
				    e->entry[i].addr);
	}
}

static void test_small_guest(void **state)
{
	(void)state;
	struct memmap m = build_map(256 * MIB, def_low, def_high);
	struct e820_map e;
	char err[256];

	assert_int_equal(e820_build(&m, &e, err, sizeof(err)), 0);
	assert_int_equal(e.nr, 3);
	assert_int_equal(e.entry[0].addr, 0);
	assert_int_equal(e.entry[0].size, 0xA0000);
	assert_int_equal(e.entry[0].type, E820_TYPE_RAM);
	assert_int_equal(e.entry[1].addr, 0xE0000);
	assert_int_equal(e.entry[1].size, 0x20000);
	assert_int_equal(e.entry[1].type, E820_TYPE_RESERVED);
	assert_int_equal(e.entry[2].addr, 0x100000);
	assert_int_equal(e.entry[2].size, 256 * MIB - 0x100000);
	assert_int_equal(e.entry[2].type, E820_TYPE_RAM);
	check_invariants(&e, &m);

	/* The ACPI tables are in a reserved range; the VGA window and the
	 * gaps are holes. */
	assert_int_equal(e820_type_of(&e, ACPI_TABLES_GPA, ACPI_TABLES_MAX),
			 E820_TYPE_RESERVED);
	assert_int_equal(e820_type_of(&e, 0xB8000, 0x1000), 0);
	assert_int_equal(e820_type_of(&e, m.low_mmio.base, 1), 0);
	assert_int_equal(e820_type_of(&e, m.high_mmio.base, 1), 0);
	assert_int_equal(e820_type_of(&e, 0xFEE00000, 0x1000), 0);
	/* A range crossing from RAM into the hole is not held by one entry. */
	assert_int_equal(e820_type_of(&e, 0x9F000, 0x2000), 0);
	assert_int_equal(e820_type_of(&e, 0x100000, 255 * MIB), E820_TYPE_RAM);
}

/* RAM larger than the space below the low gap continues at 4 GiB. */
static void test_ram_above_4g(void **state)
{
	(void)state;
	struct memmap_range low = { 3 * GIB, 0x3EC00000 };
	struct memmap m = build_map(4 * GIB, low, def_high);
	struct e820_map e;
	char err[256];

	assert_int_equal(e820_build(&m, &e, err, sizeof(err)), 0);
	assert_int_equal(e.nr, 4);
	assert_int_equal(e.entry[2].addr, 0x100000);
	assert_int_equal(e.entry[2].addr + e.entry[2].size, 3 * GIB);
	assert_int_equal(e.entry[3].addr, 4 * GIB);
	assert_int_equal(e.entry[3].size, 1 * GIB);
	assert_int_equal(e.entry[3].type, E820_TYPE_RAM);
	check_invariants(&e, &m);
	assert_int_equal(e820_type_of(&e, 3 * GIB, 1), 0);
}

/* The low gap right at RAM's end, and a RAM size that exactly fills
 * [0, low gap): the gap still never becomes RAM. */
static void test_gap_adjacent_to_ram(void **state)
{
	(void)state;
	struct memmap_range low = { 64 * MIB, 64 * MIB };
	struct memmap m = build_map(64 * MIB, low, def_high);
	struct e820_map e;
	char err[256];

	assert_int_equal(e820_build(&m, &e, err, sizeof(err)), 0);
	assert_int_equal(e.entry[e.nr - 1].addr + e.entry[e.nr - 1].size,
			 64 * MIB);
	check_invariants(&e, &m);
}

static void test_refusals(void **state)
{
	(void)state;
	struct e820_map e;
	char err[256];
	struct memmap bad = { .nr_ram = 1 };

	bad.ram[0] = (struct memmap_range){ 0, 0x80000 };
	assert_int_equal(e820_build(&bad, &e, err, sizeof(err)), -1);
	bad.ram[0] = (struct memmap_range){ 0x100000, 64 * MIB };
	assert_int_equal(e820_build(&bad, &e, err, sizeof(err)), -1);

	/* A hand-made map whose RAM runs into a gap is refused. */
	struct memmap m = build_map(256 * MIB, def_low, def_high);
	m.ram[0].size = m.low_mmio.base + MIB;
	assert_int_equal(e820_build(&m, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "gap"));
	assert_int_equal(e820_build(NULL, &e, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_guest),
		cmocka_unit_test(test_ram_above_4g),
		cmocka_unit_test(test_gap_adjacent_to_ram),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
