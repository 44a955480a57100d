// SPDX-License-Identifier: MIT
/*
 * The guest's E820 map (see firmware/e820.h).
 */
#include "firmware/e820.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void add(struct e820_map *m, uint64_t addr, uint64_t size,
		uint32_t type)
{
	/* The caller adds at most 4 + nr_ram entries, far below the cap. */
	if (size && m->nr < E820_MAX_ENTRIES)
		m->entry[m->nr++] = (struct e820_entry){ addr, size, type };
}

static bool overlaps(uint64_t a, uint64_t asize, struct memmap_range r)
{
	return a < r.base + r.size && r.base < a + asize;
}

int e820_build(const struct memmap *map, struct e820_map *out, char *err,
	       size_t errlen)
{
	struct e820_map m = { .nr = 0 };

	if (!map || !out)
		return fail(err, errlen, "no memory map");
	if (map->nr_ram == 0 || map->nr_ram > 2 || map->ram[0].base != 0 ||
	    map->ram[0].size <= E820_1MIB)
		return fail(err, errlen,
			    "RAM bank 0 must start at 0 and reach past 1 MiB");

	const struct memmap_range *low = &map->ram[0];
	add(&m, 0, E820_LOW_RAM_END, E820_TYPE_RAM);
	add(&m, E820_BIOS_AREA, E820_1MIB - E820_BIOS_AREA, E820_TYPE_RESERVED);
	add(&m, E820_1MIB, low->size - E820_1MIB, E820_TYPE_RAM);
	if (map->nr_ram == 2) {
		if (map->ram[1].base < low->size)
			return fail(err, errlen, "RAM banks are out of order");
		add(&m, map->ram[1].base, map->ram[1].size, E820_TYPE_RAM);
	}

	/* memmap_build() keeps RAM out of the gaps; check it anyway, as the
	 * guest would silently lose the gap otherwise. */
	for (unsigned i = 0; i < m.nr; i++) {
		const struct e820_entry *e = &m.entry[i];
		if (overlaps(e->addr, e->size, map->low_mmio) ||
		    overlaps(e->addr, e->size, map->high_mmio))
			return fail(err, errlen,
				    "E820 entry [0x%llx, 0x%llx) overlaps an MMIO gap",
				    (unsigned long long)e->addr,
				    (unsigned long long)(e->addr + e->size));
	}
	*out = m;
	return 0;
}

uint32_t e820_type_of(const struct e820_map *m, uint64_t addr, uint64_t size)
{
	if (size == 0 || size - 1 > UINT64_MAX - addr)
		return 0;
	for (unsigned i = 0; i < m->nr; i++) {
		const struct e820_entry *e = &m->entry[i];
		if (addr >= e->addr && addr - e->addr < e->size &&
		    size <= e->size - (addr - e->addr))
			return e->type;
	}
	return 0;
}
