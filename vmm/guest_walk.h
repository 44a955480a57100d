/* SPDX-License-Identifier: MIT */
/*
 * Guest linear addresses to guest-physical ones, by walking the guest's
 * own page tables as the CPU would (Intel SDM vol. 3 ch. 4 "Paging";
 * AMD APM vol. 2 §5.3): paging off, or 4-level / 5-level paging in long
 * mode, with 4 KiB, 2 MiB and 1 GiB pages.  Every table entry is read
 * through guest_mem, so a walk never touches anything outside guest RAM:
 * a table pointer that leaves RAM just ends the walk.
 *
 * Legacy 32-bit and PAE paging (protected mode without long mode) are
 * not walked; Linux on x86-64 never runs with them.
 */
#ifndef KVMBUS_GUEST_WALK_H
#define KVMBUS_GUEST_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

/* The control state the walk depends on (from KVM_GET_SREGS). */
struct guest_paging {
	uint64_t cr0, cr3, cr4, efer;
};

#define GW_CR0_WP    (1ull << 16)
#define GW_CR0_PG    (1ull << 31)
#define GW_CR4_PAE   (1ull << 5)
#define GW_CR4_LA57  (1ull << 12)
#define GW_EFER_LMA  (1ull << 10)

/* Page-table entry bits. */
#define GW_PTE_P     (1ull << 0)
#define GW_PTE_RW    (1ull << 1)
#define GW_PTE_PS    (1ull << 7)
/* Physical-address bits 51:12 of an entry (the architectural maximum). */
#define GW_PTE_ADDR  0x000FFFFFFFFFF000ull

enum gw_status {
	GW_OK = 0,
	GW_NOT_PRESENT,       /* a level has P = 0 */
	GW_READ_ONLY,         /* a write through RW = 0 with CR0.WP set */
	GW_NOT_RAM,           /* a table or the page itself is not RAM */
	GW_NON_CANONICAL,
	GW_UNSUPPORTED,       /* legacy 32-bit or PAE paging */
	GW_RESERVED,          /* PS set where the level has no large page */
};

const char *guest_walk_status_name(enum gw_status s);

/* Translate one linear address.  `write` asks for the supervisor write
 * permission check (RW at every level when CR0.WP = 1). */
enum gw_status guest_walk(const struct guest_mem *mem,
			  const struct guest_paging *pg, uint64_t la,
			  bool write, uint64_t *gpa);

/* Copy n bytes at linear address la (pages translated one by one). */
enum gw_status guest_read_linear(const struct guest_mem *mem,
				 const struct guest_paging *pg, uint64_t la,
				 void *dst, size_t n);
enum gw_status guest_write_linear(const struct guest_mem *mem,
				  const struct guest_paging *pg, uint64_t la,
				  const void *src, size_t n);

#endif
