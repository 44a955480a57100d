// SPDX-License-Identifier: MIT
/*
 * The emulation-failure handler's three pure parts:
 *   - the decision (bytes + CPU mode -> action), for each instruction
 *     and the architectural exceptions it may raise instead;
 *   - the guest page walk it fetches bytes with: 4 KiB, 2 MiB and 1 GiB
 *     pages, 5-level paging, and every way a walk can end early -- none
 *     of which reads outside guest RAM;
 *   - software exception delivery: the 64-bit stack frame byte for byte,
 *     IST stacks, interrupt vs trap gates, and the refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vmm/exc_deliver.h"
#include "vmm/guest_walk.h"
#include "vmm/insn_fixup.h"

/* ---- The decision --------------------------------------------------------- */

static const struct insn_context kernel64 = {
	.mode = INSN_MODE_LONG64, .cpl = 0,
	.cr0 = 0x80050033,            /* PG WP NE ET MP PE, as Linux runs */
};

static struct insn_action decide(const struct insn_context *ctx, size_t n,
				 const uint8_t *b)
{
	return insn_fixup_decide(b, n, ctx);
}

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }
#define DECIDE(ctx, ...) \
	decide((ctx), sizeof(BYTES(__VA_ARGS__)), BYTES(__VA_ARGS__))

static void test_int3_is_a_trap(void **state)
{
	(void)state;
	/* Followed by other bytes, as in the kernel's int3 self-test. */
	struct insn_action a = DECIDE(&kernel64, 0xCC, 0x90, 0xC3);
	assert_int_equal(a.kind, INSN_ACT_TRAP);
	assert_int_equal(a.vector, 3);
	assert_int_equal(a.len, 1);
	assert_string_equal(a.name, "int3");
}

static void test_ud2_is_a_fault(void **state)
{
	(void)state;
	struct insn_action a = DECIDE(&kernel64, 0x0F, 0x0B, 0xE8);
	assert_int_equal(a.kind, INSN_ACT_FAULT);
	assert_int_equal(a.vector, 6);
	assert_int_equal(a.len, 2);
	assert_string_equal(a.name, "ud2");
}

static void test_fwait(void **state)
{
	(void)state;
	struct insn_context c = kernel64;
	struct insn_action a = DECIDE(&c, 0x9B, 0xDB, 0xE2);
	assert_int_equal(a.kind, INSN_ACT_SKIP);
	assert_int_equal(a.len, 1);
	assert_string_equal(a.name, "fwait");

	c.cr0 |= INSN_CR0_TS;                       /* MP and TS: #NM */
	a = DECIDE(&c, 0x9B);
	assert_int_equal(a.kind, INSN_ACT_FAULT);
	assert_int_equal(a.vector, 7);

	c.cr0 &= ~INSN_CR0_MP;                      /* TS alone: no #NM */
	a = DECIDE(&c, 0x9B);
	assert_int_equal(a.kind, INSN_ACT_SKIP);

	c = kernel64;
	c.fsw = INSN_FSW_ES;                        /* pending, native: #MF */
	a = DECIDE(&c, 0x9B);
	assert_int_equal(a.kind, INSN_ACT_FAULT);
	assert_int_equal(a.vector, 16);
	c.cr0 &= ~INSN_CR0_NE;                      /* FERR#: not emulated */
	a = DECIDE(&c, 0x9B);
	assert_int_equal(a.kind, INSN_ACT_STOP);
	assert_non_null(a.why);
}

static void test_clac_stac(void **state)
{
	(void)state;
	struct insn_action a = DECIDE(&kernel64, 0x0F, 0x01, 0xCA);
	assert_int_equal(a.kind, INSN_ACT_SKIP_CLEAR_AC);
	assert_int_equal(a.len, 3);
	assert_string_equal(a.name, "clac");
	a = DECIDE(&kernel64, 0x0F, 0x01, 0xCB);
	assert_int_equal(a.kind, INSN_ACT_SKIP_SET_AC);
	assert_int_equal(a.len, 3);
	assert_string_equal(a.name, "stac");

	struct insn_context user = kernel64;
	user.cpl = 3;                               /* #UD if CPL > 0 */
	a = DECIDE(&user, 0x0F, 0x01, 0xCA);
	assert_int_equal(a.kind, INSN_ACT_FAULT);
	assert_int_equal(a.vector, 6);
	assert_int_equal(a.len, 3);
}

static void test_everything_else_stops(void **state)
{
	(void)state;
	struct insn_action a;

	a = DECIDE(&kernel64, 0x0F, 0xAE, 0x2F);    /* xrstor (%rdi) */
	assert_int_equal(a.kind, INSN_ACT_STOP);
	assert_null(a.name);
	assert_non_null(a.why);
	a = DECIDE(&kernel64, 0xF3, 0x48, 0x0F, 0xB8, 0xC7);   /* popcnt */
	assert_int_equal(a.kind, INSN_ACT_STOP);
	a = DECIDE(&kernel64, 0x48, 0x0F, 0xC7, 0x0E);         /* cmpxchg16b */
	assert_int_equal(a.kind, INSN_ACT_STOP);
	a = DECIDE(&kernel64, 0x66, 0xCC);          /* prefixed: not ours */
	assert_int_equal(a.kind, INSN_ACT_STOP);
	a = DECIDE(&kernel64, 0x0F, 0x01, 0xC8);    /* monitor */
	assert_int_equal(a.kind, INSN_ACT_STOP);
	/* Truncated fetches never decode past what was read. */
	a = DECIDE(&kernel64, 0x0F);
	assert_int_equal(a.kind, INSN_ACT_STOP);
	a = DECIDE(&kernel64, 0x0F, 0x01);
	assert_int_equal(a.kind, INSN_ACT_STOP);
	a = insn_fixup_decide(BYTES(0xCC), 0, &kernel64);
	assert_int_equal(a.kind, INSN_ACT_STOP);
	a = insn_fixup_decide(NULL, 3, &kernel64);
	assert_int_equal(a.kind, INSN_ACT_STOP);
}

/* Exceptions are only delivered in 64-bit mode; skips work anywhere. */
static void test_modes(void **state)
{
	(void)state;
	struct insn_context c = kernel64;

	c.mode = INSN_MODE_PROT32;
	struct insn_action a = DECIDE(&c, 0xCC);
	assert_int_equal(a.kind, INSN_ACT_STOP);
	assert_string_equal(a.name, "int3");
	a = DECIDE(&c, 0x9B);
	assert_int_equal(a.kind, INSN_ACT_SKIP);
	c.mode = INSN_MODE_REAL;
	c.cpl = 3;                                  /* no CPL in real mode */
	a = DECIDE(&c, 0x0F, 0x01, 0xCB);
	assert_int_equal(a.kind, INSN_ACT_SKIP_SET_AC);
}

static void test_hex(void **state)
{
	(void)state;
	char out[64];
	insn_fixup_hex(BYTES(0x0F, 0x0B, 0xCC), 3, out, sizeof(out));
	assert_string_equal(out, "0f 0b cc");
	insn_fixup_hex(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "(none)");
	insn_fixup_hex(BYTES(0x0F, 0x0B, 0xCC), 3, out, 6);   /* truncates */
	assert_string_equal(out, "0f 0b");
}

/* ---- Page walks --------------------------------------------------------------- */

#define RAM   (8u << 20)              /* guest RAM [0, 8 MiB) */
#define P     GW_PTE_P
#define RW    GW_PTE_RW
#define PS    GW_PTE_PS

struct walk_fixture {
	uint8_t *ram;
	struct guest_mem mem;
	uint64_t next_table;          /* bump allocator for tables */
	struct guest_paging pg;
};

static int walk_setup(void **state)
{
	struct walk_fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = calloc(1, RAM);
	assert_non_null(f->ram);
	f->mem.bank[0] = (struct guest_mem_bank){ 0, RAM, f->ram };
	f->mem.nr_banks = 1;
	f->next_table = 0x2000;       /* PML4 at 0x1000 */
	f->pg = (struct guest_paging){
		.cr0 = 0x80050033, .cr3 = 0x1000, .cr4 = GW_CR4_PAE,
		.efer = GW_EFER_LMA | (1ull << 8),
	};
	*state = f;
	return 0;
}

static int walk_teardown(void **state)
{
	struct walk_fixture *f = *state;
	free(f->ram);
	free(f);
	return 0;
}

static uint64_t *entry_at(struct walk_fixture *f, uint64_t table, unsigned i)
{
	assert_true(table + 4096 <= RAM);
	return (uint64_t *)(f->ram + table) + i;
}

/* Install a mapping of `va` ending at `leaf_level` (1: 4 KiB PTE,
 * 2: 2 MiB PDE, 3: 1 GiB PDPTE) from the top table `root` down,
 * creating intermediate tables (P|RW) as needed. */
static void map(struct walk_fixture *f, uint64_t root, unsigned levels,
		uint64_t va, uint64_t gpa, unsigned leaf_level, uint64_t flags)
{
	uint64_t table = root;
	for (unsigned level = levels; level > leaf_level; level--) {
		uint64_t *e = entry_at(f, table, (va >> (12 + 9 * (level - 1))) & 511);
		if (!(*e & P)) {
			*e = f->next_table | P | RW;
			f->next_table += 4096;
		}
		table = *e & GW_PTE_ADDR;
	}
	uint64_t *leaf = entry_at(f, table, (va >> (12 + 9 * (leaf_level - 1))) & 511);
	*leaf = gpa | flags | (leaf_level > 1 ? PS : 0);
}

static uint64_t walk_ok(struct walk_fixture *f, uint64_t va, bool write)
{
	uint64_t gpa = 0;
	assert_int_equal(guest_walk(&f->mem, &f->pg, va, write, &gpa), GW_OK);
	return gpa;
}

static void test_walk_page_sizes(void **state)
{
	struct walk_fixture *f = *state;

	/* Linux's kernel text mapping, 4 KiB pages. */
	map(f, 0x1000, 4, 0xffffffff81000000ull, 0x200000, 1, P | RW);
	map(f, 0x1000, 4, 0xffffffff81001000ull, 0x3FF000, 1, P | RW);
	/* The direct map, a 2 MiB page. */
	map(f, 0x1000, 4, 0xffff888000000000ull, 0x400000, 2, P | RW);
	/* A 1 GiB page at 256 GiB. */
	map(f, 0x1000, 4, 0x4000000000ull, 0, 3, P | RW);

	assert_int_equal(walk_ok(f, 0xffffffff81000abcull, false), 0x200abc);
	assert_int_equal(walk_ok(f, 0xffffffff81001ff0ull, false), 0x3FFff0);
	assert_int_equal(walk_ok(f, 0xffff888000123456ull, false), 0x523456);
	assert_int_equal(walk_ok(f, 0x4000012345ull, false), 0x12345);

	/* Reads cross pages that are not contiguous in guest-physical
	 * memory, and land in the right places. */
	memset(f->ram + 0x200FF8, 0x11, 8);
	memset(f->ram + 0x3FF000, 0x22, 8);
	uint8_t buf[16];
	assert_int_equal(guest_read_linear(&f->mem, &f->pg,
					   0xffffffff81000ff8ull, buf, 16), GW_OK);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(buf[i], 0x11);
		assert_int_equal(buf[8 + i], 0x22);
	}
	static const uint8_t w[4] = { 1, 2, 3, 4 };
	assert_int_equal(guest_write_linear(&f->mem, &f->pg,
					    0xffffffff81000ffeull, w, 4), GW_OK);
	assert_int_equal(f->ram[0x200FFE], 1);
	assert_int_equal(f->ram[0x200FFF], 2);
	assert_int_equal(f->ram[0x3FF000], 3);
	assert_int_equal(f->ram[0x3FF001], 4);
}

static void test_walk_five_levels(void **state)
{
	struct walk_fixture *f = *state;
	uint64_t pml5 = 0x7F000;

	f->pg.cr4 |= GW_CR4_LA57;
	f->pg.cr3 = pml5;
	map(f, pml5, 5, 0xffffffff81000000ull, 0x200000, 1, P | RW);
	assert_int_equal(walk_ok(f, 0xffffffff81000010ull, false), 0x200010);
	/* Canonical for 57 bits but not for 48: fine under LA57. */
	map(f, pml5, 5, 0x00ff000000000000ull, 0x400000, 2, P | RW);
	assert_int_equal(walk_ok(f, 0x00ff000000000001ull, false), 0x400001);
	uint64_t gpa;
	assert_int_equal(guest_walk(&f->mem, &f->pg, 0x0100000000000000ull,
				    false, &gpa), GW_NON_CANONICAL);
}

static void test_walk_failures(void **state)
{
	struct walk_fixture *f = *state;
	uint64_t gpa = 0xDEAD;

	map(f, 0x1000, 4, 0xffffffff81000000ull, 0x200000, 1, P);   /* RO */
	assert_int_equal(guest_walk(&f->mem, &f->pg, 0xffffffff81200000ull,
				    false, &gpa), GW_NOT_PRESENT);
	assert_int_equal(guest_walk(&f->mem, &f->pg, 0x0000800000000000ull,
				    false, &gpa), GW_NON_CANONICAL);
	/* Supervisor writes honour RW only with CR0.WP. */
	assert_int_equal(guest_walk(&f->mem, &f->pg, 0xffffffff81000000ull,
				    true, &gpa), GW_READ_ONLY);
	f->pg.cr0 &= ~GW_CR0_WP;
	assert_int_equal(guest_walk(&f->mem, &f->pg, 0xffffffff81000000ull,
				    true, &gpa), GW_OK);
	f->pg.cr0 |= GW_CR0_WP;

	/* A table pointer outside RAM ends the walk, never read. */
	*entry_at(f, 0x1000, 1) = 0x80000000ull | P | RW;
	assert_int_equal(guest_walk(&f->mem, &f->pg, 1ull << 39, false, &gpa),
			 GW_NOT_RAM);
	/* A leaf outside RAM: the translation is refused too. */
	map(f, 0x1000, 4, 0xffff888000000000ull, 0x40000000, 2, P | RW);
	assert_int_equal(guest_walk(&f->mem, &f->pg, 0xffff888000000000ull,
				    false, &gpa), GW_NOT_RAM);
	/* PS in a PML4 entry is reserved. */
	*entry_at(f, 0x1000, 2) = 0 | P | RW | PS;
	assert_int_equal(guest_walk(&f->mem, &f->pg, 2ull << 39, false, &gpa),
			 GW_RESERVED);
	/* Legacy PAE / 32-bit paging is not walked. */
	struct guest_paging pae = f->pg;
	pae.efer = 0;
	assert_int_equal(guest_walk(&f->mem, &pae, 0x1000, false, &gpa),
			 GW_UNSUPPORTED);
	/* CR3 itself outside RAM. */
	struct guest_paging far = f->pg;
	far.cr3 = 0x100000000ull;
	assert_int_equal(guest_walk(&f->mem, &far, 0x1000, false, &gpa),
			 GW_NOT_RAM);
	/* A read that runs into an unmapped page fails as a whole. */
	uint8_t buf[32];
	assert_int_equal(guest_read_linear(&f->mem, &f->pg, 0xffffffff81000ff0ull,
					   buf, 32), GW_NOT_PRESENT);
}

static void test_walk_paging_off(void **state)
{
	struct walk_fixture *f = *state;
	struct guest_paging off = { .cr0 = 0x11 };
	uint64_t gpa;

	assert_int_equal(guest_walk(&f->mem, &off, 0x123456, false, &gpa), GW_OK);
	assert_int_equal(gpa, 0x123456);
	assert_int_equal(guest_walk(&f->mem, &off, RAM, false, &gpa), GW_NOT_RAM);
	assert_string_equal(guest_walk_status_name(GW_NOT_RAM),
			    "not in guest RAM");
}

/* ---- Exception delivery --------------------------------------------------------- */

#define IDT       0x10000ull
#define TSS       0x11000ull
#define KCS       0x10
#define KSS       0x18
#define HANDLER3  0xffffffff81001230ull
#define HANDLER6  0xffffffff81004560ull

/* A 16-byte gate: offset, selector, IST, type, DPL, P. */
static void gate(struct walk_fixture *f, unsigned vec, uint64_t off,
		 uint16_t sel, unsigned ist, unsigned type, unsigned dpl)
{
	uint8_t *g = f->ram + IDT + vec * 16;
	memset(g, 0, 16);
	g[0] = (uint8_t)off; g[1] = (uint8_t)(off >> 8);
	g[2] = (uint8_t)sel; g[3] = (uint8_t)(sel >> 8);
	g[4] = (uint8_t)ist;
	g[5] = (uint8_t)(0x80 | dpl << 5 | type);
	g[6] = (uint8_t)(off >> 16); g[7] = (uint8_t)(off >> 24);
	for (int i = 0; i < 4; i++)
		g[8 + i] = (uint8_t)(off >> (32 + 8 * i));
}

static struct exc_cpu cpu(const struct walk_fixture *f)
{
	return (struct exc_cpu){
		.rip = 0xffffffff81000100ull, .rsp = 0x20008,
		.rflags = 0x246 | EXC_RFLAGS_TF | EXC_RFLAGS_RF | (1ull << 18),
		.cs = KCS, .ss = KSS, .cpl = 0,
		.idt_base = IDT, .idt_limit = 256 * 16 - 1,
		.tr_base = TSS, .tr_limit = 0x67,
		.pg = f->pg,
	};
}

/* Identity-map [0, 4 MiB) with 2 MiB pages, an IDT with #BP as an
 * interrupt gate (DPL 3, as Linux's) and #UD as a trap gate on IST1,
 * and a TSS whose IST1 is deliberately not 16-byte aligned. */
static int deliver_setup(void **state)
{
	walk_setup(state);
	struct walk_fixture *f = *state;
	map(f, 0x1000, 4, 0, 0, 2, P | RW);
	map(f, 0x1000, 4, 0x200000, 0x200000, 2, P | RW);
	gate(f, 3, HANDLER3, KCS, 0, EXC_GATE_INTERRUPT, 3);
	gate(f, 6, HANDLER6, KCS, 1, EXC_GATE_TRAP, 0);
	uint64_t ist1 = 0x38008;
	memcpy(f->ram + TSS + 0x24, &ist1, 8);
	return 0;
}

static uint64_t q(const struct walk_fixture *f, uint64_t gpa)
{
	uint64_t v;
	memcpy(&v, f->ram + gpa, 8);
	return v;
}

static void test_deliver_int3_frame(void **state)
{
	struct walk_fixture *f = *state;
	struct exc_cpu c = cpu(f);
	uint64_t old_flags = c.rflags;
	char why[128];

	/* int3 at rip: a trap, so the saved RIP is rip + 1. */
	assert_int_equal(exc_deliver64(&f->mem, &c, 3, 0xffffffff81000101ull,
				       true, false, 0, why, sizeof(why)), 0);
	/* RSP 0x20008 aligned down to 0x20000, then 5 pushes. */
	assert_int_equal(c.rsp, 0x20000 - 40);
	assert_int_equal(q(f, 0x20000 - 40), 0xffffffff81000101ull);  /* RIP */
	assert_int_equal(q(f, 0x20000 - 32), KCS);                    /* CS */
	assert_int_equal(q(f, 0x20000 - 24), old_flags);              /* RFLAGS */
	assert_int_equal(q(f, 0x20000 - 16), 0x20008);                /* RSP */
	assert_int_equal(q(f, 0x20000 - 8), KSS);                     /* SS */
	assert_int_equal(c.rip, HANDLER3);
	/* Interrupt gate: IF cleared with TF, RF, NT; AC untouched. */
	assert_int_equal(c.rflags, (old_flags & ~(EXC_RFLAGS_IF | EXC_RFLAGS_TF |
						  EXC_RFLAGS_RF)));
	assert_true(c.rflags & (1ull << 18));
}

static void test_deliver_ud_on_ist_trap_gate(void **state)
{
	struct walk_fixture *f = *state;
	struct exc_cpu c = cpu(f);
	char why[128];

	assert_int_equal(exc_deliver64(&f->mem, &c, 6, c.rip, false, false, 0,
				       why, sizeof(why)), 0);
	/* IST1 = 0x38008 -> 0x38000; the fault's saved RIP is the ud2. */
	assert_int_equal(c.rsp, 0x38000 - 40);
	assert_int_equal(q(f, 0x38000 - 40), 0xffffffff81000100ull);
	assert_int_equal(q(f, 0x38000 - 16), 0x20008);    /* old RSP kept */
	assert_int_equal(c.rip, HANDLER6);
	assert_true(c.rflags & EXC_RFLAGS_IF);             /* trap gate */
	assert_false(c.rflags & EXC_RFLAGS_TF);

	/* With an error code the frame is 48 bytes, the code lowest. */
	c = cpu(f);
	assert_int_equal(exc_deliver64(&f->mem, &c, 6, c.rip, false, true, 0x1234,
				       why, sizeof(why)), 0);
	assert_int_equal(c.rsp, 0x38000 - 48);
	assert_int_equal(q(f, 0x38000 - 48), 0x1234);
	assert_int_equal(q(f, 0x38000 - 40), 0xffffffff81000100ull);
}

static void expect_refused(struct walk_fixture *f, struct exc_cpu c,
			   uint8_t vec, const char *what)
{
	struct exc_cpu before = c;
	char why[160] = "";

	assert_int_equal(exc_deliver64(&f->mem, &c, vec, c.rip, false, false, 0,
				       why, sizeof(why)), -1);
	if (!strstr(why, what))
		fail_msg("reason '%s' does not mention '%s'", why, what);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_deliver_refusals(void **state)
{
	struct walk_fixture *f = *state;
	struct exc_cpu c = cpu(f);

	expect_refused(f, c, 13, "not present");
	c.idt_limit = 3 * 16 + 7;
	expect_refused(f, c, 3, "IDT limit");
	c = cpu(f);
	c.cpl = 3;
	expect_refused(f, c, 3, "CPL 3");
	c = cpu(f);
	c.cs = 0x33;
	expect_refused(f, c, 3, "selects CS");
	gate(f, 4, HANDLER3, KCS, 0, 0xC, 0);              /* call gate */
	expect_refused(f, cpu(f), 4, "type 0xc");
	gate(f, 5, 0x0000900000000000ull, KCS, 0, EXC_GATE_TRAP, 0);
	expect_refused(f, cpu(f), 5, "canonical");
	c = cpu(f);
	c.tr_limit = 0x20;                                 /* IST1 beyond it */
	expect_refused(f, c, 6, "TSS limit");
	c = cpu(f);
	c.tr_base = 0x600000;                              /* unmapped */
	expect_refused(f, c, 6, "TSS IST1");
	c = cpu(f);
	c.rsp = 0x500000;                                  /* stack unmapped */
	expect_refused(f, c, 3, "exception frame");
	c = cpu(f);
	c.idt_base = 0x700000;                             /* IDT unmapped */
	expect_refused(f, c, 3, "IDT gate 3");
	/* A read-only stack page with CR0.WP. */
	map(f, 0x1000, 4, 0, 0, 2, P);
	expect_refused(f, cpu(f), 3, "read-only");
}

/* INT3 checks the gate's DPL against CPL; at CPL 0 a DPL-0 gate passes
 * (CPL 3 never gets that far: it is refused first). */
static void test_deliver_software_dpl(void **state)
{
	struct walk_fixture *f = *state;
	struct exc_cpu c = cpu(f);
	char why[128];

	gate(f, 3, HANDLER3, KCS, 0, EXC_GATE_INTERRUPT, 0);
	assert_int_equal(exc_deliver64(&f->mem, &c, 3, c.rip + 1, true, false, 0,
				       why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int3_is_a_trap),
		cmocka_unit_test(test_ud2_is_a_fault),
		cmocka_unit_test(test_fwait),
		cmocka_unit_test(test_clac_stac),
		cmocka_unit_test(test_everything_else_stops),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_hex),
		cmocka_unit_test_setup_teardown(test_walk_page_sizes, walk_setup,
						walk_teardown),
		cmocka_unit_test_setup_teardown(test_walk_five_levels, walk_setup,
						walk_teardown),
		cmocka_unit_test_setup_teardown(test_walk_failures, walk_setup,
						walk_teardown),
		cmocka_unit_test_setup_teardown(test_walk_paging_off, walk_setup,
						walk_teardown),
		cmocka_unit_test_setup_teardown(test_deliver_int3_frame,
						deliver_setup, walk_teardown),
		cmocka_unit_test_setup_teardown(test_deliver_ud_on_ist_trap_gate,
						deliver_setup, walk_teardown),
		cmocka_unit_test_setup_teardown(test_deliver_refusals,
						deliver_setup, walk_teardown),
		cmocka_unit_test_setup_teardown(test_deliver_software_dpl,
						deliver_setup, walk_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
