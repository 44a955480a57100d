// SPDX-License-Identifier: MIT
/*
 * Guest page-table walks (see vmm/guest_walk.h).  References: Intel SDM
 * vol. 3A §4.5 "4-Level Paging and 5-Level Paging" (tables 4-14 to 4-20
 * give the entry formats used here).
 */
#include "vmm/guest_walk.h"

#include <string.h>

#define PAGE_4K    0x1000ull
#define LEVEL_BITS 9
#define ENTRIES    512u

const char *guest_walk_status_name(enum gw_status s)
{
	switch (s) {
	case GW_OK: return "ok";
	case GW_NOT_PRESENT: return "not present";
	case GW_READ_ONLY: return "read-only";
	case GW_NOT_RAM: return "not in guest RAM";
	case GW_NON_CANONICAL: return "non-canonical address";
	case GW_UNSUPPORTED: return "paging mode not supported";
	case GW_RESERVED: return "reserved page-size bit";
	}
	return "?";
}

/* Bits 63:(width-1) all equal (SDM §3.3.7.1 canonical addressing). */
static bool canonical(uint64_t la, unsigned width)
{
	int64_t s = (int64_t)(la << (64 - width)) >> (64 - width);

	return (uint64_t)s == la;
}

enum gw_status guest_walk(const struct guest_mem *mem,
			  const struct guest_paging *pg, uint64_t la,
			  bool write, uint64_t *gpa)
{
	if (!(pg->cr0 & GW_CR0_PG)) {
		/* No paging: linear is physical (32-bit outside long mode,
		 * which cannot be active with paging off). */
		*gpa = la & 0xFFFFFFFFull;
		return guest_mem_is_ram(mem, *gpa, 1) ? GW_OK : GW_NOT_RAM;
	}
	if (!(pg->efer & GW_EFER_LMA) || !(pg->cr4 & GW_CR4_PAE))
		return GW_UNSUPPORTED;

	/* 5-level: PML5 (bits 56:48), then as 4-level: PML4 47:39,
	 * PDPT 38:30 (PS: 1 GiB), PD 29:21 (PS: 2 MiB), PT 20:12. */
	unsigned levels = (pg->cr4 & GW_CR4_LA57) ? 5 : 4;
	if (!canonical(la, 12 + LEVEL_BITS * levels))
		return GW_NON_CANONICAL;

	bool check_write = write && (pg->cr0 & GW_CR0_WP);
	uint64_t table = pg->cr3 & GW_PTE_ADDR;
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + LEVEL_BITS * (level - 1);
		uint64_t idx = (la >> shift) & (ENTRIES - 1), e;

		if (guest_mem_read(mem, table + idx * 8, &e, sizeof(e)) < 0)
			return GW_NOT_RAM;
		if (!(e & GW_PTE_P))
			return GW_NOT_PRESENT;
		if (check_write && !(e & GW_PTE_RW))
			return GW_READ_ONLY;
		bool large = level != 1 && (e & GW_PTE_PS);
		if (large && level > 3)
			return GW_RESERVED;    /* no 512 GiB / 256 TiB pages */
		if (level == 1 || large) {
			uint64_t size = 1ull << shift;
			/* A large page's base is aligned to its size; the low
			 * bits of the address field hold PAT, not address. */
			uint64_t base = e & GW_PTE_ADDR & ~(size - 1);
			*gpa = base | (la & (size - 1));
			return guest_mem_is_ram(mem, *gpa, 1) ? GW_OK : GW_NOT_RAM;
		}
		table = e & GW_PTE_ADDR;
	}
	return GW_NOT_PRESENT;   /* not reached: level 1 always returns */
}

/* Copy page by page: each piece stays inside one 4 KiB page, which is
 * contiguous in guest-physical memory whatever the page size.  Exactly
 * one of `rd` (read into) and `wr` (write from) is set. */
static enum gw_status copy_linear(const struct guest_mem *mem,
				  const struct guest_paging *pg, uint64_t la,
				  uint8_t *rd, const uint8_t *wr, size_t n)
{
	for (size_t done = 0; done < n;) {
		uint64_t gpa;
		size_t chunk = PAGE_4K - ((la + done) & (PAGE_4K - 1));
		if (chunk > n - done)
			chunk = n - done;
		enum gw_status s = guest_walk(mem, pg, la + done, wr != NULL,
					      &gpa);
		if (s != GW_OK)
			return s;
		int rc = wr ? guest_mem_write(mem, gpa, wr + done, chunk)
			    : guest_mem_read(mem, gpa, rd + done, chunk);
		if (rc < 0)
			return GW_NOT_RAM;
		done += chunk;
	}
	return GW_OK;
}

enum gw_status guest_read_linear(const struct guest_mem *mem,
				 const struct guest_paging *pg, uint64_t la,
				 void *dst, size_t n)
{
	return copy_linear(mem, pg, la, dst, NULL, n);
}

enum gw_status guest_write_linear(const struct guest_mem *mem,
				  const struct guest_paging *pg, uint64_t la,
				  const void *src, size_t n)
{
	return copy_linear(mem, pg, la, NULL, src, n);
}
