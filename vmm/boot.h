/* SPDX-License-Identifier: MIT */
/*
 * The boot state every vCPU starts in (vmm/abi/platform_abi.h): 64-bit
 * long mode with paging on, straight at the ELF entry point.  The VMM
 * writes the page tables and the GDT into guest RAM and sets the
 * registers; no firmware or real-mode code runs.
 */
#ifndef KVMBUS_BOOT_H
#define KVMBUS_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "firmware/memmap.h"
#include "vmm/abi/platform_abi.h"
#include "vmm/guest_mem.h"

/* Page-table entry bits (Intel SDM vol. 3 §4.5). */
#define BOOT_PTE_PRESENT    (1ull << 0)
#define BOOT_PTE_WRITE      (1ull << 1)
#define BOOT_PTE_LARGE      (1ull << 7)    /* PS: 2 MiB page in a PD */
#define BOOT_PTE_ADDR_MASK  0x000FFFFFFFFFF000ull

#define BOOT_PAGE_SIZE      0x1000ull
#define BOOT_LARGE_PAGE     0x200000ull    /* 2 MiB */
/* Page-table pages that fit in [PAGETABLES, PAGETABLES_END). */
#define BOOT_MAX_TABLE_PAGES \
	((KVMBUS_BOOT_PAGETABLES_END - KVMBUS_BOOT_PAGETABLES) / BOOT_PAGE_SIZE)
/* Four-level paging reaches the lower canonical half, [0, 2^47). */
#define BOOT_MAX_MAPPED     (1ull << 47)

/* Control-register and EFER bits of the boot state. */
#define BOOT_CR0_PE   (1ull << 0)
#define BOOT_CR0_MP   (1ull << 1)
#define BOOT_CR0_ET   (1ull << 4)
#define BOOT_CR0_NE   (1ull << 5)
#define BOOT_CR0_WP   (1ull << 16)
#define BOOT_CR0_PG   (1ull << 31)
#define BOOT_CR4_PAE  (1ull << 5)
#define BOOT_EFER_LME (1ull << 8)
#define BOOT_EFER_LMA (1ull << 10)

#define BOOT_GDT_ENTRIES 3

/* Page-table pages (PML4 + PDPTs + PDs) the boot map needs with this high
 * MMIO gap (size 0 = none). */
uint64_t boot_page_tables_needed(const struct memmap_range *high_gap);

/* Write the identity map of [0, 4 GiB) and of the high MMIO gap, 2 MiB
 * pages, PML4 at KVMBUS_BOOT_PAGETABLES.  Refuses (-1, one line in err) a
 * gap that is not 2 MiB aligned, lies beyond 2^47, or needs more table
 * pages than the boot area holds. */
int boot_write_page_tables(const struct guest_mem *mem,
			   const struct memmap_range *high_gap,
			   char *err, size_t errlen);

/* The GDT at KVMBUS_BOOT_GDT: null, 64-bit code (KVMBUS_BOOT_CS), data
 * (KVMBUS_BOOT_DS). */
extern const uint64_t boot_gdt[BOOT_GDT_ENTRIES];
int boot_write_gdt(const struct guest_mem *mem, char *err, size_t errlen);

/* Turn KVM's reset state into the boot state (control registers, EFER,
 * segments, GDTR); fields not about the boot state (APIC base, ...) are
 * kept, so pass what KVM_GET_SREGS returned. */
void boot_set_sregs(struct kvm_sregs *s);
/* RIP = entry, RDI = device tree, RSI = vCPU index, RSP = 0, RFLAGS = 2. */
void boot_set_regs(struct kvm_regs *r, uint64_t entry, unsigned vcpu_index);

#endif
