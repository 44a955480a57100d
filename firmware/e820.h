/* SPDX-License-Identifier: MIT */
/*
 * The E820 memory map a Linux guest is given -- in the zero page's
 * e820_table (x86 boot protocol, zero-page.rst offset 0x2D0) or as the
 * PVH hvm_start_info memmap -- derived from the same struct memmap as
 * the device tree and the ACPI tables:
 *
 *   [0, 0xA0000)             RAM  conventional memory; the boot data kvmbus
 *                                 writes there (GDT, zero page, start info,
 *                                 command line, boot page tables) is all
 *                                 copied or abandoned by Linux before it
 *                                 allocates memory
 *   [0xA0000, 0xE0000)       hole the legacy VGA window
 *   [0xE0000, 0x100000)      reserved: the BIOS area holding the ACPI tables
 *   [0x100000, low gap)      RAM  (the rest of RAM bank 0)
 *   [4 GiB, ...)             RAM  (RAM bank 1, when RAM does not fit below)
 *
 * Both VMBus MMIO gaps, and the platform region above the low gap
 * (IOAPIC, LAPIC), are holes: Linux's VMBus driver must be able to claim
 * gap addresses in the global iomem tree (facts §9.1 DESIGN NOTE), so they
 * are never RAM, nor reserved.
 */
#ifndef KVMBUS_E820_H
#define KVMBUS_E820_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/memmap.h"

/* Address range types (ACPI 6.5 ch. 15, "System Address Map
 * Interfaces"; the values of the BIOS E820 call). */
#define E820_TYPE_RAM        1
#define E820_TYPE_RESERVED   2
#define E820_TYPE_ACPI       3
#define E820_TYPE_NVS        4

/* The zero page holds at most 128 entries (E820_MAX_ENTRIES_ZEROPAGE). */
#define E820_MAX_ENTRIES     128

#define E820_LOW_RAM_END     0xA0000ull
#define E820_BIOS_AREA       0xE0000ull
#define E820_1MIB            0x100000ull

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct e820_map {
	struct e820_entry entry[E820_MAX_ENTRIES];
	unsigned nr;
};

/* Build the map above.  RAM bank 0 must start at 0 and reach past
 * 1 MiB.  Entries come out sorted and disjoint.  0, or -1 with a
 * one-line reason in err. */
int e820_build(const struct memmap *map, struct e820_map *out, char *err,
	       size_t errlen);

/* Type of the entry holding [addr, addr + size) wholly, or 0 if no
 * single entry does (a hole, or a range crossing entries). */
uint32_t e820_type_of(const struct e820_map *m, uint64_t addr, uint64_t size);

#endif
