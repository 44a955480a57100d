// SPDX-License-Identifier: MIT
/*
 * The boot state: page tables walked as the CPU would walk them, in a
 * host buffer standing for guest RAM; the GDT descriptors decoded bit by
 * bit and compared with the segment registers KVM is given; the
 * registers of the boot protocol.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vmm/abi/platform_abi.h"
#include "vmm/boot.h"

#define RAM_SIZE  (1u << 20)   /* covers the whole boot area below 1 MiB */
#define GIB       (1ull << 30)
#define MIB       (1ull << 20)
#define NOT_MAPPED UINT64_MAX

struct fixture {
	struct guest_mem mem;
	uint8_t *ram;
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = malloc(RAM_SIZE);
	assert_non_null(f->ram);
	/* Garbage, so the tests see that the builder clears its area. */
	memset(f->ram, 0x5A, RAM_SIZE);
	f->mem.bank[0] = (struct guest_mem_bank){ 0, RAM_SIZE, f->ram };
	f->mem.nr_banks = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->ram);
	free(f);
	return 0;
}

static const struct memmap_range default_gap = {
	MEMMAP_DEFAULT_HIGH_MMIO_BASE, MEMMAP_DEFAULT_HIGH_MMIO_SIZE,
};

static const uint64_t *table(const struct fixture *f, uint64_t gpa)
{
	assert_true(gpa >= KVMBUS_BOOT_PAGETABLES);
	assert_true(gpa + BOOT_PAGE_SIZE <= KVMBUS_BOOT_PAGETABLES_END);
	return (const uint64_t *)(f->ram + gpa);
}

/* Translate a virtual address as the CPU would (4-level, PS in the PD
 * only); NOT_MAPPED if a level is not present. */
static uint64_t walk(const struct fixture *f, uint64_t va)
{
	uint64_t e = table(f, KVMBUS_BOOT_PAGETABLES)[(va >> 39) & 511];
	if (!(e & BOOT_PTE_PRESENT))
		return NOT_MAPPED;
	assert_false(e & BOOT_PTE_LARGE);   /* no 512 GiB pages exist */

	e = table(f, e & BOOT_PTE_ADDR_MASK)[(va >> 30) & 511];
	if (!(e & BOOT_PTE_PRESENT))
		return NOT_MAPPED;
	assert_false(e & BOOT_PTE_LARGE);   /* we build no 1 GiB pages */

	e = table(f, e & BOOT_PTE_ADDR_MASK)[(va >> 21) & 511];
	if (!(e & BOOT_PTE_PRESENT))
		return NOT_MAPPED;
	assert_true(e & BOOT_PTE_LARGE);    /* 2 MiB pages only */
	assert_true(e & BOOT_PTE_WRITE);
	return (e & BOOT_PTE_ADDR_MASK & ~(BOOT_LARGE_PAGE - 1)) +
	       (va & (BOOT_LARGE_PAGE - 1));
}

static void assert_identity(const struct fixture *f, uint64_t va)
{
	uint64_t pa = walk(f, va);
	if (pa != va)
		fail_msg("0x%llx maps to 0x%llx, expected identity",
			 (unsigned long long)va, (unsigned long long)pa);
}

static void assert_unmapped(const struct fixture *f, uint64_t va)
{
	if (walk(f, va) != NOT_MAPPED)
		fail_msg("0x%llx is mapped but should not be",
			 (unsigned long long)va);
}

static void build(struct fixture *f, const struct memmap_range *gap)
{
	f->err[0] = '\0';
	if (boot_write_page_tables(&f->mem, gap, f->err, sizeof(f->err)) != 0)
		fail_msg("page tables refused: %s", f->err);
}

/* Every present leaf, counted; each must be an identity 2 MiB page that
 * lies in [0, 4 GiB) or in the gap.  Also counts the table pages used. */
static void assert_only(const struct fixture *f, const struct memmap_range *gap,
			uint64_t *leaves, uint64_t *tables)
{
	const uint64_t *pml4 = table(f, KVMBUS_BOOT_PAGETABLES);

	*leaves = 0;
	*tables = 1;
	for (unsigned i = 0; i < 512; i++) {
		if (!(pml4[i] & BOOT_PTE_PRESENT))
			continue;
		const uint64_t *pdpt = table(f, pml4[i] & BOOT_PTE_ADDR_MASK);
		++*tables;
		for (unsigned j = 0; j < 512; j++) {
			if (!(pdpt[j] & BOOT_PTE_PRESENT))
				continue;
			const uint64_t *pd = table(f, pdpt[j] & BOOT_PTE_ADDR_MASK);
			++*tables;
			for (unsigned k = 0; k < 512; k++) {
				if (!(pd[k] & BOOT_PTE_PRESENT))
					continue;
				uint64_t va = ((uint64_t)i << 39) |
					      ((uint64_t)j << 30) |
					      ((uint64_t)k << 21);
				assert_int_equal(pd[k] & BOOT_PTE_ADDR_MASK, va);
				bool low = va < MEMMAP_4G;
				bool in_gap = gap && va >= gap->base &&
					      va - gap->base < gap->size;
				if (!low && !in_gap)
					fail_msg("stray mapping at 0x%llx",
						 (unsigned long long)va);
				++*leaves;
			}
		}
	}
}

static void test_low_4g_identity(void **state)
{
	struct fixture *f = *state;
	static const uint64_t addrs[] = {
		0, 0x1000, KVMBUS_BOOT_FDT, 0x100000, 0x1234567,
		0x3FFFFFFF, 0x40000000, 0xBFFFFFFF, 0xC0000000,
		0xFEC00000, 0xFEE00000, 0xFFFFF000, 0xFFFFFFFF,
	};

	build(f, &default_gap);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		assert_identity(f, addrs[i]);
	assert_unmapped(f, MEMMAP_4G);
	assert_unmapped(f, 5 * GIB);
	assert_unmapped(f, MEMMAP_DEFAULT_HIGH_MMIO_BASE - 1);
}

static void test_high_gap_identity(void **state)
{
	struct fixture *f = *state;
	uint64_t base = default_gap.base, end = base + default_gap.size;

	build(f, &default_gap);
	assert_identity(f, base);
	assert_identity(f, base + 0x1234);
	assert_identity(f, base + default_gap.size / 2);
	/* The last 2 MiB page of the gap, first and last byte. */
	assert_identity(f, end - BOOT_LARGE_PAGE);
	assert_identity(f, end - 1);
	assert_unmapped(f, end);
	assert_unmapped(f, base - BOOT_LARGE_PAGE);
}

static void test_nothing_else_mapped(void **state)
{
	struct fixture *f = *state;
	uint64_t leaves, tables;

	build(f, &default_gap);
	assert_only(f, &default_gap, &leaves, &tables);
	assert_int_equal(leaves, MEMMAP_4G / BOOT_LARGE_PAGE +
				 default_gap.size / BOOT_LARGE_PAGE);
	/* PML4, one PDPT, four low PDs, one PD for the gap. */
	assert_int_equal(tables, 7);
	assert_int_equal(boot_page_tables_needed(&default_gap), 7);
}

static void test_no_high_gap(void **state)
{
	struct fixture *f = *state;
	struct memmap_range none = { 0, 0 };
	uint64_t leaves, tables;

	build(f, &none);
	assert_only(f, NULL, &leaves, &tables);
	assert_int_equal(leaves, MEMMAP_4G / BOOT_LARGE_PAGE);
	assert_int_equal(tables, 6);
	build(f, NULL);
	assert_only(f, NULL, &leaves, &tables);
	assert_int_equal(tables, 6);
}

static void test_gap_across_gib_boundary(void **state)
{
	struct fixture *f = *state;
	/* 4 MiB straddling 65 GiB: needs two PDs. */
	struct memmap_range gap = { 65 * GIB - 2 * MIB, 4 * MIB };
	uint64_t leaves, tables;

	build(f, &gap);
	assert_identity(f, gap.base);
	assert_identity(f, 65 * GIB);
	assert_identity(f, gap.base + gap.size - 1);
	assert_unmapped(f, gap.base + gap.size);
	assert_unmapped(f, gap.base - 1);
	assert_only(f, &gap, &leaves, &tables);
	assert_int_equal(leaves, 2048 + 2);
	assert_int_equal(tables, 8);
	assert_int_equal(boot_page_tables_needed(&gap), 8);
}

static void test_gap_beyond_512g(void **state)
{
	struct fixture *f = *state;
	/* Past the first PML4 entry: a second PDPT is needed. */
	struct memmap_range gap = { 1024 * GIB, 64 * MIB };
	uint64_t leaves, tables;

	build(f, &gap);
	assert_identity(f, gap.base);
	assert_identity(f, gap.base + gap.size - 1);
	assert_unmapped(f, gap.base + gap.size);
	assert_only(f, &gap, &leaves, &tables);
	assert_int_equal(tables, 8);
	assert_int_equal(boot_page_tables_needed(&gap), tables);
}

static void test_largest_gap_fits(void **state)
{
	struct fixture *f = *state;
	/* 128 table pages: PML4 + PDPT + 4 low PDs leave 122 for the gap. */
	struct memmap_range gap = { 64 * GIB, 122 * GIB };
	uint64_t leaves, tables;

	assert_int_equal(boot_page_tables_needed(&gap), BOOT_MAX_TABLE_PAGES);
	build(f, &gap);
	assert_identity(f, gap.base + gap.size - BOOT_LARGE_PAGE);
	assert_only(f, &gap, &leaves, &tables);
	assert_int_equal(tables, BOOT_MAX_TABLE_PAGES);
}

static void test_too_large_gap_refused(void **state)
{
	struct fixture *f = *state;
	struct memmap_range gap = { 64 * GIB, 123 * GIB };

	assert_int_equal(boot_write_page_tables(&f->mem, &gap, f->err,
						sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "page-table pages"));

	gap = (struct memmap_range){ 256 * GIB, 200 * GIB };
	assert_int_equal(boot_write_page_tables(&f->mem, &gap, f->err,
						sizeof(f->err)), -1);
}

static void test_bad_gaps_refused(void **state)
{
	struct fixture *f = *state;
	struct memmap_range unaligned = { 64 * GIB + 0x1000, 2 * MIB };
	struct memmap_range odd_size = { 64 * GIB, 3 * MIB };
	struct memmap_range beyond = { BOOT_MAX_MAPPED - 2 * MIB, 4 * MIB };
	struct memmap_range wraps = { UINT64_MAX - 2 * MIB + 1, 4 * MIB };

	assert_int_equal(boot_write_page_tables(&f->mem, &unaligned, f->err,
						sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "aligned"));
	assert_int_equal(boot_write_page_tables(&f->mem, &odd_size, f->err,
						sizeof(f->err)), -1);
	assert_int_equal(boot_write_page_tables(&f->mem, &beyond, f->err,
						sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "2^47"));
	assert_int_equal(boot_write_page_tables(&f->mem, &wraps, f->err,
						sizeof(f->err)), -1);
	assert_int_equal(boot_page_tables_needed(&wraps), UINT64_MAX);
}

static void test_ram_too_small_refused(void **state)
{
	struct fixture *f = *state;

	f->mem.bank[0].size = 0x20000;   /* ends inside the table area */
	assert_int_equal(boot_write_page_tables(&f->mem, &default_gap, f->err,
						sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "page-table area"));
	f->mem.bank[0].size = 0x1000;    /* not even the GDT */
	assert_int_equal(boot_write_gdt(&f->mem, f->err, sizeof(f->err)), -1);
}

/* ---- GDT and segment registers ---------------------------------------- */

static unsigned bits(uint64_t d, unsigned lo, unsigned n)
{
	return (unsigned)((d >> lo) & ((1ull << n) - 1));
}

/* The descriptor must say what the kvm_segment says (SDM vol. 3 §3.4.5),
 * or a reload of the selector would change the segment. */
static void assert_descriptor_matches(uint64_t d, const struct kvm_segment *s)
{
	uint32_t base = bits(d, 16, 24) | (bits(d, 56, 8) << 24);
	uint32_t limit = bits(d, 0, 16) | (bits(d, 48, 4) << 16);

	assert_int_equal(base, s->base);
	assert_int_equal(bits(d, 40, 4), s->type);
	assert_int_equal(bits(d, 44, 1), s->s);
	assert_int_equal(bits(d, 45, 2), s->dpl);
	assert_int_equal(bits(d, 47, 1), s->present);
	assert_int_equal(bits(d, 53, 1), s->l);
	assert_int_equal(bits(d, 54, 1), s->db);
	assert_int_equal(bits(d, 55, 1), s->g);
	/* With G = 1 the 20-bit limit counts 4 KiB pages. */
	assert_int_equal(((uint64_t)limit << 12) | 0xFFF, s->limit);
}

static void test_gdt_descriptors(void **state)
{
	struct fixture *f = *state;
	uint64_t gdt[BOOT_GDT_ENTRIES];

	assert_int_equal(boot_write_gdt(&f->mem, f->err, sizeof(f->err)), 0);
	memcpy(gdt, f->ram + KVMBUS_BOOT_GDT, sizeof(gdt));
	assert_memory_equal(gdt, boot_gdt, sizeof(gdt));

	assert_int_equal(gdt[0], 0);

	uint64_t code = gdt[KVMBUS_BOOT_CS / 8];
	assert_int_equal(bits(code, 47, 1), 1);   /* present */
	assert_int_equal(bits(code, 45, 2), 0);   /* DPL 0 */
	assert_int_equal(bits(code, 44, 1), 1);   /* code/data */
	assert_int_equal(bits(code, 43, 1), 1);   /* executable */
	assert_int_equal(bits(code, 41, 1), 1);   /* readable */
	assert_int_equal(bits(code, 53, 1), 1);   /* L: 64-bit */
	assert_int_equal(bits(code, 54, 1), 0);   /* D must be 0 with L */

	uint64_t data = gdt[KVMBUS_BOOT_DS / 8];
	assert_int_equal(bits(data, 47, 1), 1);
	assert_int_equal(bits(data, 45, 2), 0);
	assert_int_equal(bits(data, 44, 1), 1);
	assert_int_equal(bits(data, 43, 1), 0);   /* data */
	assert_int_equal(bits(data, 41, 1), 1);   /* writable */
	assert_int_equal(bits(data, 53, 1), 0);
	assert_int_equal(bits(data, 54, 1), 1);   /* 32-bit stack ops (B) */
	assert_int_equal(bits(data, 55, 1), 1);
}

static void test_sregs(void **state)
{
	(void)state;
	struct kvm_sregs s;

	memset(&s, 0, sizeof(s));
	s.apic_base = 0xFEE00900;   /* what KVM reports; must survive */
	boot_set_sregs(&s);

	assert_int_equal(s.apic_base, 0xFEE00900);
	assert_int_equal(s.cr0, BOOT_CR0_PE | BOOT_CR0_MP | BOOT_CR0_ET |
				BOOT_CR0_NE | BOOT_CR0_WP | BOOT_CR0_PG);
	assert_true(s.cr0 & (1ull << 31));
	assert_true(s.cr0 & 1);
	assert_int_equal(s.cr3, KVMBUS_BOOT_PAGETABLES);
	assert_int_equal(s.cr4, 1ull << 5);                /* PAE */
	assert_int_equal(s.efer, (1ull << 8) | (1ull << 10)); /* LME, LMA */
	assert_int_equal(s.gdt.base, KVMBUS_BOOT_GDT);
	assert_int_equal(s.gdt.limit, BOOT_GDT_ENTRIES * 8 - 1);

	assert_int_equal(s.cs.selector, KVMBUS_BOOT_CS);
	assert_int_equal(s.cs.l, 1);
	assert_descriptor_matches(boot_gdt[KVMBUS_BOOT_CS / 8], &s.cs);
	const struct kvm_segment *data[] = { &s.ds, &s.es, &s.fs, &s.gs, &s.ss };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(data[i]->selector, KVMBUS_BOOT_DS);
		assert_descriptor_matches(boot_gdt[KVMBUS_BOOT_DS / 8], data[i]);
	}
}

static void test_regs(void **state)
{
	(void)state;
	struct kvm_regs r;

	memset(&r, 0xCC, sizeof(r));
	boot_set_regs(&r, 0x101234, 1);
	assert_int_equal(r.rip, 0x101234);
	assert_int_equal(r.rdi, KVMBUS_BOOT_FDT);
	assert_int_equal(r.rsi, 1);
	assert_int_equal(r.rsp, 0);
	assert_int_equal(r.rflags, 0x2);   /* IF clear */
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rbp, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_low_4g_identity),
		T(test_high_gap_identity),
		T(test_nothing_else_mapped),
		T(test_no_high_gap),
		T(test_gap_across_gib_boundary),
		T(test_gap_beyond_512g),
		T(test_largest_gap_fits),
		T(test_too_large_gap_refused),
		T(test_bad_gaps_refused),
		T(test_ram_too_small_refused),
		T(test_gdt_descriptors),
		T(test_sregs),
		T(test_regs),
	};
#undef T
	return cmocka_run_group_tests_name("boot", tests, NULL, NULL);
}
