/* SPDX-License-Identifier: MIT */
/*
 * The guest-physical memory map: RAM banks and the two VMBus MMIO gaps.
 * RAM never overlaps a gap.  RAM fills [0, low gap); what does not fit
 * goes above 4 GiB, below the high gap.
 *
 * Gen2-like defaults: low gap [0xC0000000, 0xFEC00000) -- it stops below
 * the IOAPIC/LAPIC/vTPM region -- and a 512 MiB high gap at 64 GiB.
 */
#ifndef KVMBUS_MEMMAP_H
#define KVMBUS_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#define MEMMAP_DEFAULT_LOW_MMIO_BASE   0xC0000000ull
#define MEMMAP_DEFAULT_LOW_MMIO_SIZE   0x3EC00000ull
#define MEMMAP_DEFAULT_HIGH_MMIO_BASE  0x1000000000ull
#define MEMMAP_DEFAULT_HIGH_MMIO_SIZE  0x20000000ull
#define MEMMAP_4G                      0x100000000ull
/* Platform devices live here; the low gap must end at or below it. */
#define MEMMAP_PLATFORM_MMIO_BASE      0xFEC00000ull
/* The high gap must end below this (page-table reach of the boot map). */
#define MEMMAP_MAX_PHYS                0x8000000000ull /* 512 GiB */
/* Gap bases and sizes, and the RAM size, are multiples of this (the boot
 * page tables map with 2 MiB pages). */
#define MEMMAP_ALIGN                   0x200000ull     /* 2 MiB */
/* Smallest RAM a guest gets. */
#define MEMMAP_MIN_RAM                 0x1000000ull    /* 16 MiB */
/* RAM below the low gap holds the boot area and the guest image. */
#define MEMMAP_LOW_MMIO_MIN_BASE       0x4000000ull    /* 64 MiB */

struct memmap_range {
	uint64_t base;
	uint64_t size;
};

struct memmap {
	struct memmap_range ram[2];
	unsigned nr_ram;
	struct memmap_range low_mmio;
	struct memmap_range high_mmio;
};

/* Lay out `ram_size` bytes of RAM around the gaps.  Rules:
 *   - ram_size >= MEMMAP_MIN_RAM, a multiple of MEMMAP_ALIGN;
 *   - both gaps non-empty, base and size multiples of MEMMAP_ALIGN;
 *   - low gap: base >= MEMMAP_LOW_MMIO_MIN_BASE, end <= platform MMIO;
 *   - high gap: base >= 4 GiB, size < 4 GiB (the DT binding's
 *     #size-cells = 1), end <= MEMMAP_MAX_PHYS;
 *   - RAM above 4 GiB must end at or below the high gap's base.
 * Returns 0, or -1 with a one-line reason naming the numbers in err. */
int memmap_build(struct memmap *m, uint64_t ram_size,
		 struct memmap_range low_mmio, struct memmap_range high_mmio,
		 char *err, size_t errlen);

/* Which gap holds [base, base + size) wholly: 0 none, 1 low, 2 high.
 * size 0, and ranges that wrap past 2^64, are held by none. */
int memmap_gap_of(const struct memmap *m, uint64_t base, uint64_t size);

#endif
