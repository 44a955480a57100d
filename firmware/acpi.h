/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for a Linux guest (ACPI Specification 6.5).  Linux 6.1
 * finds VMBus only through ACPI (facts §9.1), so a directly booted
 * kernel gets, built from the same struct memmap as the device tree:
 *
 *   RSDP (revision 2) -> XSDT -> FADT (hardware-reduced) -> DSDT
 *                             -> MADT (one Local APIC per vCPU, IOAPIC)
 *
 *   DSDT:  \_SB.VMOD       _HID "ACPI0004", _UID 0,
 *                          _CRS = QWordMemory(low gap), QWordMemory(high gap)
 *          \_SB.VMOD.VMBS  _HID "VMBus", _UID 0, _STA = 0x0F,
 *                          _CRS = empty ResourceTemplate
 *
 * VMBS carries an empty _CRS although it has no resources of its own:
 * Linux's vmbus_acpi_add() walks the device's own _CRS first and fails
 * the probe (-ENODEV) when the walk fails, which it does when _CRS is
 * absent; only then does it walk the parents for the MMIO ranges.
 *
 * All tables sit in one block at ACPI_TABLES_GPA, inside guest RAM below
 * 1 MiB; the RSDP is first, 16-byte aligned, inside [0xE0000, 0xFFFFF]
 * where OSPM searches for it (§5.2.5.1), and its address is also passed
 * to the kernel directly (zero page acpi_rsdp_addr, PVH rsdp_paddr).
 */
#ifndef KVMBUS_ACPI_H
#define KVMBUS_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/memmap.h"
#include "vmm/guest_mem.h"

/* The block of tables: the BIOS read-only area OSPM scans for the RSDP
 * (§5.2.5.1: "the BIOS read-only memory space between 0E0000h and
 * 0FFFFFh").  The E820 map marks it reserved. */
#define ACPI_TABLES_GPA    0xE0000ull
#define ACPI_TABLES_MAX    0x20000ull

/* Platform interrupt controllers the MADT describes: KVM's in-kernel
 * IOAPIC and LAPICs sit at their architectural addresses. */
#define ACPI_LAPIC_ADDR    0xFEE00000u
#define ACPI_IOAPIC_ADDR   0xFEC00000u
#define ACPI_IOAPIC_ID     0
#define ACPI_IOAPIC_GSI_BASE 0
/* Local APIC IDs in the MADT are one byte, and 0xFF is the broadcast
 * ID (§5.2.12.2); more vCPUs would need x2APIC structures. */
#define ACPI_MAX_CPUS      255

/* The OEM identity every table carries (§5.2.6). */
#define ACPI_OEM_ID        "KVMBUS"
#define ACPI_CREATOR_ID    "KVMB"

struct acpi_layout {
	uint64_t rsdp, xsdt, fadt, madt, dsdt;   /* guest-physical */
	uint32_t xsdt_len, fadt_len, madt_len, dsdt_len;
	size_t total;                            /* bytes of the block */
};

/* Build every table into buf, which stands for guest-physical
 * [base, base + len).  base must be 16-byte aligned and the block must
 * lie below 4 GiB (the FADT's 32-bit DSDT field holds it too).  Returns
 * 0, or -1 with a one-line reason in err. */
int acpi_build(void *buf, size_t len, uint64_t base, const struct memmap *map,
	       unsigned nr_cpus, struct acpi_layout *out, char *err,
	       size_t errlen);

/* Build the tables at ACPI_TABLES_GPA in guest RAM; *rsdp gets the RSDP
 * address.  0, or -1 with a reason. */
int acpi_install(const struct guest_mem *mem, const struct memmap *map,
		 unsigned nr_cpus, uint64_t *rsdp, char *err, size_t errlen);

/* ---- firmware/acpi_dsdt.c ------------------------------------------------ */
/* The DSDT above, into buf.  Returns its length, or -1 if it does not
 * fit or the gaps are malformed (empty, or wrapping). */
long acpi_build_dsdt(void *buf, size_t len, const struct memmap *map);

#endif
