// SPDX-License-Identifier: MIT
/*
 * Boot page tables, GDT and initial registers (see vmm/boot.h and the
 * boot protocol in vmm/abi/platform_abi.h).
 *
 * The map is built from 2 MiB pages only: one PML4, one PDPT per 512 GiB
 * touched, one PD per 1 GiB touched.  [0, 4 GiB) always takes the first
 * PDPT and four PDs; the high MMIO gap adds whatever else it touches.
 * The table pages are handed out in order from KVMBUS_BOOT_PAGETABLES.
 */
#include "vmm/boot.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ENTRIES_PER_TABLE 512u
#define PD_SHIFT    21   /* a PD entry maps 2 MiB */
#define PDPT_SHIFT  30   /* a PDPT entry maps 1 GiB */
#define PML4_SHIFT  39   /* a PML4 entry maps 512 GiB */
#define LOW_MAP_END MEMMAP_4G

/* Null, then flat 64-bit code and flat data (SDM vol. 3 §3.4.5).  The
 * accessed bit is preset so the CPU never needs to write the GDT. */
const uint64_t boot_gdt[BOOT_GDT_ENTRIES] = {
	0,
	/* limit 0xFFFFF, G=1 L=1 D=0, P=1 DPL=0 S=1 type=0xB (code, RX, A) */
	0x00AF9B000000FFFFull,
	/* limit 0xFFFFF, G=1 D/B=1,   P=1 DPL=0 S=1 type=0x3 (data, RW, A) */
	0x00CF93000000FFFFull,
};

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

/* How many of the table indices first..last (at some level) are not
 * already taken by the low map, which holds indices 0..low_count-1. */
static uint64_t indices_beyond_low(uint64_t first, uint64_t last,
				   uint64_t low_count)
{
	if (last < low_count)
		return 0;
	if (first < low_count)
		first = low_count;
	return last - first + 1;
}

uint64_t boot_page_tables_needed(const struct memmap_range *high_gap)
{
	const uint64_t low_pdpts = 1;                          /* 512 GiB */
	const uint64_t low_pds = LOW_MAP_END >> PDPT_SHIFT;    /* 4 x 1 GiB */
	uint64_t pages = 1 + low_pdpts + low_pds;

	if (!high_gap || high_gap->size == 0)
		return pages;
	if (high_gap->size > UINT64_MAX - high_gap->base)
		return UINT64_MAX;

	uint64_t first = high_gap->base, last = first + high_gap->size - 1;
	pages += indices_beyond_low(first >> PML4_SHIFT, last >> PML4_SHIFT,
				    low_pdpts);
	pages += indices_beyond_low(first >> PDPT_SHIFT, last >> PDPT_SHIFT,
				    low_pds);
	return pages;
}

/* Hands out zeroed table pages from the boot area, in order. */
struct table_alloc {
	const struct guest_mem *mem;
	uint64_t next;
};

static uint64_t *table_at(const struct table_alloc *a, uint64_t gpa)
{
	return guest_mem_ptr(a->mem, gpa, BOOT_PAGE_SIZE);
}

/* The table that entry idx of `table` points to, created if absent.
 * NULL if the boot area is used up (boot_page_tables_needed() is checked
 * first, so this is only a safety net). */
static uint64_t *next_level(struct table_alloc *a, uint64_t *table,
			    unsigned idx)
{
	if (!(table[idx] & BOOT_PTE_PRESENT)) {
		if (a->next >= KVMBUS_BOOT_PAGETABLES_END)
			return NULL;
		table[idx] = a->next | BOOT_PTE_PRESENT | BOOT_PTE_WRITE;
		a->next += BOOT_PAGE_SIZE;
	}
	return table_at(a, table[idx] & BOOT_PTE_ADDR_MASK);
}

/* Identity-map the 2 MiB page at addr (2 MiB aligned, < 2^47). */
static int map_large_page(struct table_alloc *a, uint64_t addr)
{
	uint64_t *pml4 = table_at(a, KVMBUS_BOOT_PAGETABLES);
	uint64_t *pdpt = next_level(a, pml4,
				    (addr >> PML4_SHIFT) % ENTRIES_PER_TABLE);
	if (!pdpt)
		return -1;
	uint64_t *pd = next_level(a, pdpt,
				  (addr >> PDPT_SHIFT) % ENTRIES_PER_TABLE);
	if (!pd)
		return -1;
	pd[(addr >> PD_SHIFT) % ENTRIES_PER_TABLE] =
		addr | BOOT_PTE_PRESENT | BOOT_PTE_WRITE | BOOT_PTE_LARGE;
	return 0;
}

static int map_range(struct table_alloc *a, uint64_t base, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += BOOT_LARGE_PAGE)
		if (map_large_page(a, base + off) < 0)
			return -1;
	return 0;
}

static int check_high_gap(const struct memmap_range *g, char *err,
			  size_t errlen)
{
	if (g->base % BOOT_LARGE_PAGE || g->size % BOOT_LARGE_PAGE)
		return fail(err, errlen,
			    "high MMIO gap [0x%llx, +0x%llx) is not 2 MiB aligned",
			    (unsigned long long)g->base,
			    (unsigned long long)g->size);
	if (g->base >= BOOT_MAX_MAPPED || g->size > BOOT_MAX_MAPPED - g->base)
		return fail(err, errlen,
			    "high MMIO gap [0x%llx, +0x%llx) lies beyond 2^47, "
			    "the reach of 4-level paging",
			    (unsigned long long)g->base,
			    (unsigned long long)g->size);

	uint64_t need = boot_page_tables_needed(g);
	if (need > BOOT_MAX_TABLE_PAGES)
		return fail(err, errlen,
			    "high MMIO gap [0x%llx, 0x%llx) needs %llu page-table "
			    "pages but the boot area holds %llu; use a smaller gap",
			    (unsigned long long)g->base,
			    (unsigned long long)(g->base + g->size),
			    (unsigned long long)need,
			    (unsigned long long)BOOT_MAX_TABLE_PAGES);
	return 0;
}

int boot_write_page_tables(const struct guest_mem *mem,
			   const struct memmap_range *high_gap,
			   char *err, size_t errlen)
{
	const uint64_t area = KVMBUS_BOOT_PAGETABLES_END - KVMBUS_BOOT_PAGETABLES;
	bool have_gap = high_gap && high_gap->size != 0;

	if (have_gap && check_high_gap(high_gap, err, errlen) < 0)
		return -1;

	uint8_t *tables = guest_mem_ptr(mem, KVMBUS_BOOT_PAGETABLES, area);
	if (!tables)
		return fail(err, errlen,
			    "guest RAM does not cover the page-table area "
			    "[0x%llx, 0x%llx)",
			    (unsigned long long)KVMBUS_BOOT_PAGETABLES,
			    (unsigned long long)KVMBUS_BOOT_PAGETABLES_END);
	memset(tables, 0, area);

	/* The PML4 is the first page; the rest are handed out on demand. */
	struct table_alloc a = {
		.mem = mem,
		.next = KVMBUS_BOOT_PAGETABLES + BOOT_PAGE_SIZE,
	};
	if (map_range(&a, 0, LOW_MAP_END) < 0 ||
	    (have_gap && map_range(&a, high_gap->base, high_gap->size) < 0))
		return fail(err, errlen, "boot page-table area exhausted");
	return 0;
}

int boot_write_gdt(const struct guest_mem *mem, char *err, size_t errlen)
{
	if (guest_mem_write(mem, KVMBUS_BOOT_GDT, boot_gdt, sizeof(boot_gdt)) < 0)
		return fail(err, errlen, "guest RAM does not cover the GDT at 0x%llx",
			    (unsigned long long)KVMBUS_BOOT_GDT);
	return 0;
}

/* A flat segment as KVM describes it; must match the GDT entry its
 * selector names, or the first reload of the segment changes it. */
static struct kvm_segment flat_segment(uint16_t selector, bool code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xFFFFFFFFu,
		.selector = selector,
		.type = code ? 0xB : 0x3,
		.present = 1,
		.dpl = 0,
		.db = code ? 0 : 1,   /* D must be 0 when L = 1 */
		.s = 1,
		.l = code ? 1 : 0,
		.g = 1,
	};
}

void boot_set_sregs(struct kvm_sregs *s)
{
	struct kvm_segment data = flat_segment(KVMBUS_BOOT_DS, false);

	s->cs = flat_segment(KVMBUS_BOOT_CS, true);
	s->ds = data;
	s->es = data;
	s->fs = data;
	s->gs = data;
	s->ss = data;

	s->gdt.base = KVMBUS_BOOT_GDT;
	s->gdt.limit = sizeof(boot_gdt) - 1;
	/* No IDT until the guest loads one: an early exception then ends in
	 * a clean triple fault (reported as a crash) instead of vectoring
	 * through whatever lies at address 0. */
	s->idt.base = 0;
	s->idt.limit = 0;

	s->cr0 = BOOT_CR0_PE | BOOT_CR0_MP | BOOT_CR0_ET | BOOT_CR0_NE |
		 BOOT_CR0_WP | BOOT_CR0_PG;
	s->cr3 = KVMBUS_BOOT_PAGETABLES;
	s->cr4 = BOOT_CR4_PAE;
	s->efer = BOOT_EFER_LME | BOOT_EFER_LMA;
}

void boot_set_regs(struct kvm_regs *r, uint64_t entry, unsigned vcpu_index)
{
	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rdi = KVMBUS_BOOT_FDT;
	r->rsi = vcpu_index;
	r->rsp = 0;
	r->rflags = 0x2;   /* bit 1 is reserved and always 1; IF = 0 */
}
