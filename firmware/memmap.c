// SPDX-License-Identifier: MIT
/*
 * The guest-physical memory map (see firmware/memmap.h).
 *
 * The two gaps are the MMIO space the Linux VMBus driver allocates from
 * (facts §9.2: one DT `ranges` entry per gap, low first).  RAM must never
 * overlap them, or a device the guest places in a gap would shadow RAM.
 */
#include "firmware/memmap.h"

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

static bool aligned(uint64_t v)
{
	return (v & (MEMMAP_ALIGN - 1)) == 0;
}

/* End (exclusive) of [base, base + size) fits in 64 bits. */
static bool no_wrap(uint64_t base, uint64_t size)
{
	return size <= UINT64_MAX - base;
}

/* Rules shared by both gaps: non-empty, 2 MiB aligned, no wrap. */
static int check_gap_shape(const char *which, struct memmap_range g,
			   char *err, size_t errlen)
{
	if (g.size == 0)
		return fail(err, errlen, "%s MMIO gap is empty", which);
	if (!aligned(g.base) || !aligned(g.size))
		return fail(err, errlen,
			    "%s MMIO gap 0x%llx,0x%llx: base and size must be "
			    "multiples of 2 MiB", which,
			    (unsigned long long)g.base,
			    (unsigned long long)g.size);
	if (!no_wrap(g.base, g.size))
		return fail(err, errlen,
			    "%s MMIO gap 0x%llx,0x%llx wraps past 2^64", which,
			    (unsigned long long)g.base,
			    (unsigned long long)g.size);
	return 0;
}

static int check_low_gap(struct memmap_range g, char *err, size_t errlen)
{
	if (check_gap_shape("low", g, err, errlen))
		return -1;
	if (g.base < MEMMAP_LOW_MMIO_MIN_BASE)
		return fail(err, errlen,
			    "low MMIO gap base 0x%llx is below 0x%llx (RAM "
			    "below it holds the boot area and the guest)",
			    (unsigned long long)g.base,
			    MEMMAP_LOW_MMIO_MIN_BASE);
	if (g.base + g.size > MEMMAP_PLATFORM_MMIO_BASE)
		return fail(err, errlen,
			    "low MMIO gap 0x%llx,0x%llx ends at 0x%llx, past "
			    "the platform devices at 0x%llx",
			    (unsigned long long)g.base,
			    (unsigned long long)g.size,
			    (unsigned long long)(g.base + g.size),
			    MEMMAP_PLATFORM_MMIO_BASE);
	return 0;
}

static int check_high_gap(struct memmap_range g, char *err, size_t errlen)
{
	if (check_gap_shape("high", g, err, errlen))
		return -1;
	if (g.base < MEMMAP_4G)
		return fail(err, errlen,
			    "high MMIO gap base 0x%llx is below 4 GiB",
			    (unsigned long long)g.base);
	/* facts §9.2: the binding's #size-cells = 1, so each gap's size
	 * must fit one 32-bit cell. */
	if (g.size >= MEMMAP_4G)
		return fail(err, errlen,
			    "high MMIO gap size 0x%llx is not below 4 GiB "
			    "(the device tree gives it one 32-bit cell)",
			    (unsigned long long)g.size);
	if (g.base + g.size > MEMMAP_MAX_PHYS)
		return fail(err, errlen,
			    "high MMIO gap 0x%llx,0x%llx ends at 0x%llx, past "
			    "the 0x%llx the boot page tables reach",
			    (unsigned long long)g.base,
			    (unsigned long long)g.size,
			    (unsigned long long)(g.base + g.size),
			    MEMMAP_MAX_PHYS);
	return 0;
}

int memmap_build(struct memmap *m, uint64_t ram_size,
		 struct memmap_range low_mmio, struct memmap_range high_mmio,
		 char *err, size_t errlen)
{
	if (!m)
		return fail(err, errlen, "no memory map to fill");
	if (ram_size < MEMMAP_MIN_RAM)
		return fail(err, errlen,
			    "RAM size 0x%llx is below the minimum 0x%llx (16 MiB)",
			    (unsigned long long)ram_size, MEMMAP_MIN_RAM);
	if (!aligned(ram_size))
		return fail(err, errlen,
			    "RAM size 0x%llx is not a multiple of 2 MiB",
			    (unsigned long long)ram_size);
	if (check_low_gap(low_mmio, err, errlen) ||
	    check_high_gap(high_mmio, err, errlen))
		return -1;

	struct memmap out = {
		.low_mmio = low_mmio,
		.high_mmio = high_mmio,
	};

	/* RAM fills [0, low gap); the rest starts at 4 GiB, which is above
	 * the low gap and the platform devices by construction. */
	uint64_t below = ram_size < low_mmio.base ? ram_size : low_mmio.base;
	out.ram[0] = (struct memmap_range){ .base = 0, .size = below };
	out.nr_ram = 1;

	uint64_t above = ram_size - below;
	if (above) {
		/* high base >= 4 GiB was checked, so no underflow. */
		uint64_t room = high_mmio.base - MEMMAP_4G;

		if (above > room)
			return fail(err, errlen,
				    "RAM of 0x%llx bytes does not fit: 0x%llx "
				    "must go above 4 GiB, but only 0x%llx fit "
				    "below the high MMIO gap at 0x%llx",
				    (unsigned long long)ram_size,
				    (unsigned long long)above,
				    (unsigned long long)room,
				    (unsigned long long)high_mmio.base);
		out.ram[1] = (struct memmap_range){ .base = MEMMAP_4G,
						    .size = above };
		out.nr_ram = 2;
	}

	*m = out;
	return 0;
}

static bool range_holds(struct memmap_range outer, uint64_t base,
			uint64_t size)
{
	if (outer.size == 0 || base < outer.base)
		return false;
	uint64_t off = base - outer.base;
	return off < outer.size && size <= outer.size - off;
}

int memmap_gap_of(const struct memmap *m, uint64_t base, uint64_t size)
{
	if (!m || size == 0 || !no_wrap(base, size))
		return 0;
	if (range_holds(m->low_mmio, base, size))
		return 1;
	if (range_holds(m->high_mmio, base, size))
		return 2;
	return 0;
}
