// SPDX-License-Identifier: MIT
/*
 * Page tables for CPL 3 (see usermode.h).  The boot tables identity-map
 * everything with 2 MiB pages and no U bit, so user code could touch
 * nothing.  We copy the path from the root to every user page (PML4,
 * PDPT, PD), split the 2 MiB page around it into a page table, and set U
 * on that path and on the 4 KiB entry itself: user code reaches exactly
 * its pages, and a stray user access anywhere else faults.
 *
 * The boot tables are never changed -- only copies made here are, which
 * `own` keeps track of -- so switching back to the boot CR3 would restore
 * the boot view.  Ring-0 instructions are slow here (KVM facts doc): a
 * table copy is 512 stores, and only a handful of tables are copied.
 */
#include "guest/bench/usermode.h"

#include <stddef.h>

#include "guest/lib/alloc.h"

#define PTE_P        0x001ull
#define PTE_W        0x002ull
#define PTE_U        0x004ull
#define PTE_PS       0x080ull   /* in a PD: 2 MiB page; in a PDPT: 1 GiB */
#define PTE_ADDR     0x000FFFFFFFFFF000ull
#define ENTRIES      512u
#define MAX_OWN      64u

static uint64_t own[MAX_OWN];
static unsigned nr_own;

static uint64_t *table_at(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;   /* identity map */
}

static bool is_own(uint64_t pa)
{
	for (unsigned i = 0; i < nr_own; i++)
		if (own[i] == pa)
			return true;
	return false;
}

/* A fresh table page we may change, or NULL when out of pages. */
static uint64_t *new_table(void)
{
	uint64_t *t;

	if (nr_own == MAX_OWN)
		return NULL;
	t = page_alloc(1);
	if (t)
		own[nr_own++] = virt_to_phys(t);
	return t;
}

/* The table entry *e points to, made our own (copied if it is a boot
 * table), with U and W set on *e.  NULL if *e maps nothing or we are out
 * of pages. */
static uint64_t *own_child(uint64_t *e)
{
	if (!(*e & PTE_P) || (*e & PTE_PS))
		return NULL;

	uint64_t pa = *e & PTE_ADDR;

	if (!is_own(pa)) {
		uint64_t *copy = new_table();
		const uint64_t *orig = table_at(pa);

		if (!copy)
			return NULL;
		for (unsigned i = 0; i < ENTRIES; i++)
			copy[i] = orig[i];
		pa = virt_to_phys(copy);
		*e = (*e & ~PTE_ADDR) | pa;
	}
	*e |= PTE_U | PTE_W;
	return table_at(pa);
}

/* Replace the 2 MiB page of PD entry *e by a table of 512 4 KiB pages
 * with the same frames, supervisor-only for now. */
static uint64_t *split_large_page(uint64_t *e)
{
	uint64_t base = *e & PTE_ADDR & ~((1ull << 21) - 1);
	uint64_t *pt = new_table();

	if (!pt)
		return NULL;
	for (unsigned i = 0; i < ENTRIES; i++)
		pt[i] = (base + (uint64_t)i * PAGE_SIZE) | PTE_P | PTE_W;
	*e = virt_to_phys(pt) | PTE_P | PTE_W | PTE_U;
	return pt;
}

static bool map_user_page(uint64_t *pml4, uint64_t va)
{
	uint64_t *pdpt = own_child(&pml4[(va >> 39) % ENTRIES]);
	uint64_t *pd = pdpt ? own_child(&pdpt[(va >> 30) % ENTRIES]) : NULL;

	if (!pd)
		return false;

	uint64_t *pde = &pd[(va >> 21) % ENTRIES];
	uint64_t *pt;

	if (!(*pde & PTE_P))
		return false;
	pt = (*pde & PTE_PS) ? split_large_page(pde) : own_child(pde);
	if (!pt)
		return false;
	pt[(va >> 12) % ENTRIES] |= PTE_U | PTE_W;
	return true;
}

bool user_map_install(const struct user_range *ranges, unsigned count)
{
	uint64_t cr3;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));

	uint64_t *root = new_table();
	const uint64_t *boot = table_at(cr3 & PTE_ADDR);

	if (!root)
		return false;
	for (unsigned i = 0; i < ENTRIES; i++)
		root[i] = boot[i];
	for (unsigned r = 0; r < count; r++) {
		uint64_t va = ranges[r].start & ~(uint64_t)(PAGE_SIZE - 1);

		for (; va < ranges[r].end; va += PAGE_SIZE)
			if (!map_user_page(root, va))
				return false;
	}
	/* Loading CR3 also drops every stale translation. */
	asm volatile("mov %0, %%cr3" : : "r"(virt_to_phys(root)) : "memory");
	return true;
}
