// SPDX-License-Identifier: MIT
/*
 * Linux direct boot with synthetic kernels built in memory: a bzImage
 * (setup header per Documentation/arch/x86/boot.rst) and an ELF vmlinux
 * with a Xen PVH note.  The tests read back what the guest would read --
 * zero page fields at their documented offsets, hvm_start_info and its
 * modlist / memmap, the E820 entries, the copied kernel and initrd --
 * and the boot registers.  Then every hostile variant of the headers is
 * refused with a reason, before anything is written to guest RAM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/abi/platform_abi.h"
#include "vmm/boot.h"
#include "vmm/linux_boot.h"

#define MIB       (1ull << 20)
#define RAM_SIZE  (64 * MIB)
#define GARBAGE   0xA5
#define RSDP      0xE0000ull
#define LOAD      0x1000000ull     /* pref_address / vmlinux p_paddr */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

struct fixture {
	uint8_t *ram;
	struct guest_mem mem;
	struct memmap map;
	uint8_t initrd[10000];
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = malloc(RAM_SIZE);
	assert_non_null(f->ram);
	memset(f->ram, GARBAGE, RAM_SIZE);
	f->mem.bank[0] = (struct guest_mem_bank){ 0, RAM_SIZE, f->ram };
	f->mem.nr_banks = 1;
	struct memmap_range low = { MEMMAP_DEFAULT_LOW_MMIO_BASE,
				    MEMMAP_DEFAULT_LOW_MMIO_SIZE };
	struct memmap_range high = { MEMMAP_DEFAULT_HIGH_MMIO_BASE,
				     MEMMAP_DEFAULT_HIGH_MMIO_SIZE };
	assert_int_equal(memmap_build(&f->map, RAM_SIZE, low, high, f->err,
				      sizeof(f->err)), 0);
	for (size_t i = 0; i < sizeof(f->initrd); i++)
		f->initrd[i] = (uint8_t)(i * 13 + 1);
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

static const uint8_t *gpa(const struct fixture *f, uint64_t a)
{
	assert_true(a < RAM_SIZE);
	return f->ram + a;
}

/* ---- A synthetic bzImage ------------------------------------------------- */

#define BZ_SETUP_SECTS 4
#define BZ_SETUP_SIZE  ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_KERNEL      0x1000
#define BZ_LEN         (BZ_SETUP_SIZE + BZ_KERNEL)
#define BZ_INIT_SIZE   0x100000u

static uint8_t bz[BZ_LEN];

static void make_bzimage(void)
{
	memset(bz, 0, sizeof(bz));
	bz[0x1F1] = BZ_SETUP_SECTS;
	wr32(bz + 0x1F4, BZ_KERNEL / 16);          /* syssize */
	wr16(bz + 0x1FE, 0xAA55);                  /* boot_flag */
	bz[0x200] = 0xEB;                          /* jmp short ... */
	bz[0x201] = 0x6A;                          /* ... header ends 0x26C */
	memcpy(bz + 0x202, "HdrS", 4);
	wr16(bz + 0x206, 0x020F);                  /* protocol 2.15 */
	bz[0x211] = 0x01 | 0x80;                   /* LOADED_HIGH, CAN_USE_HEAP */
	wr32(bz + 0x214, 0x100000);                /* code32_start */
	wr32(bz + 0x22C, 0x7FFFFFFF);              /* initrd_addr_max */
	wr32(bz + 0x230, 0x200000);                /* kernel_alignment */
	bz[0x234] = 1;                             /* relocatable */
	wr16(bz + 0x236, 0x3);                     /* XLF_KERNEL_64 | ABOVE_4G */
	wr32(bz + 0x238, 2047);                    /* cmdline_size */
	wr64(bz + 0x258, LOAD);                    /* pref_address */
	wr32(bz + 0x260, BZ_INIT_SIZE);            /* init_size */
	for (size_t i = 0; i < BZ_KERNEL; i++)
		bz[BZ_SETUP_SIZE + i] = (uint8_t)(i * 7 + 3);
}

static int load(struct fixture *f, const void *k, size_t len,
		const char *cmdline, bool with_initrd, struct linux_image *img)
{
	struct linux_boot_args a = {
		.kernel = k, .kernel_len = len,
		.initrd = with_initrd ? f->initrd : NULL,
		.initrd_len = with_initrd ? sizeof(f->initrd) : 0,
		.cmdline = cmdline, .rsdp = RSDP,
	};
	f->err[0] = '\0';
	return linux_boot_load(&f->mem, &f->map, &a, img, f->err, sizeof(f->err));
}

/* E820 as firmware/e820.h documents it for 64 MiB of RAM. */
static const struct { uint64_t addr, size; uint32_t type; } want_e820[] = {
	{ 0, 0xA0000, 1 },
	{ 0xE0000, 0x20000, 2 },
	{ 0x100000, RAM_SIZE - 0x100000, 1 },
};
#define NR_E820 (sizeof(want_e820) / sizeof(want_e820[0]))

/* Highest page below the top of RAM that holds the initrd. */
#define INITRD_BASE ((RAM_SIZE - 10000) & ~0xFFFull)

static void test_bzimage_zero_page(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;

	make_bzimage();
	assert_int_equal(load(f, bz, sizeof(bz), "console=ttyS0 quiet", true,
			      &img), 0);
	assert_int_equal(img.kind, LINUX_ENTRY_64);
	assert_int_equal(img.entry, LOAD + 0x200);
	assert_int_equal(img.boot_info, LINUX_BOOT_ZERO_PAGE);
	assert_int_equal(img.protocol, 0x020F);
	assert_int_equal(img.kernel_base, LOAD);
	assert_int_equal(img.kernel_end, LOAD + BZ_INIT_SIZE);

	const uint8_t *zp = gpa(f, LINUX_BOOT_ZERO_PAGE);
	/* Outside the header: zero, apart from what the loader sets. */
	assert_int_equal(zp[0x000], 0);             /* screen_info: none */
	assert_int_equal(zp[0x1EF], 0);             /* sentinel */
	assert_int_equal(rd64(zp + 0x070), RSDP);   /* acpi_rsdp_addr */
	/* The setup header, copied and then updated. */
	assert_int_equal(zp[0x1F1], BZ_SETUP_SECTS);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(rd16(zp + 0x206), 0x020F);
	assert_int_equal(rd16(zp + 0x1FA), 0xFFFF); /* vid_mode: normal */
	assert_int_equal(zp[0x210], 0xFF);          /* type_of_loader */
	assert_int_equal(zp[0x211], 0x01);          /* no CAN_USE_HEAP */
	assert_int_equal(rd32(zp + 0x214), LOAD);   /* code32_start */
	assert_int_equal(rd32(zp + 0x228), LINUX_BOOT_CMDLINE);
	assert_int_equal(rd32(zp + 0x0C8), 0);      /* ext_cmd_line_ptr */
	assert_int_equal(rd32(zp + 0x218), INITRD_BASE);
	assert_int_equal(rd32(zp + 0x21C), 10000);
	assert_int_equal(rd32(zp + 0x0C0), 0);
	assert_int_equal(rd32(zp + 0x0C4), 0);
	assert_int_equal(rd64(zp + 0x258), LOAD);   /* pref_address kept */
	assert_int_equal(rd32(zp + 0x260), BZ_INIT_SIZE);
	assert_int_equal(rd32(zp + 0x23C), 0);      /* hardware_subarch PC */
	assert_int_equal(rd64(zp + 0x250), 0);      /* setup_data */
	/* Past the header's end (0x26C): zero, not file bytes. */
	assert_int_equal(zp[0x26C], 0);

	assert_int_equal(zp[0x1E8], NR_E820);
	for (size_t i = 0; i < NR_E820; i++) {
		const uint8_t *e = zp + 0x2D0 + 20 * i;
		assert_int_equal(rd64(e), want_e820[i].addr);
		assert_int_equal(rd64(e + 8), want_e820[i].size);
		assert_int_equal(rd32(e + 16), want_e820[i].type);
	}
	assert_int_equal(zp[0x2D0 + 20 * NR_E820], 0);

	assert_string_equal((const char *)gpa(f, LINUX_BOOT_CMDLINE),
			    "console=ttyS0 quiet");
	assert_memory_equal(gpa(f, INITRD_BASE), f->initrd, sizeof(f->initrd));
	/* The protected-mode kernel at pref_address, the rest of init_size
	 * cleared. */
	assert_memory_equal(gpa(f, LOAD), bz + BZ_SETUP_SIZE, BZ_KERNEL);
	assert_int_equal(*gpa(f, LOAD + BZ_KERNEL), 0);
	assert_int_equal(*gpa(f, LOAD + BZ_INIT_SIZE - 1), 0);
	assert_int_equal(*gpa(f, LOAD + BZ_INIT_SIZE), GARBAGE);
}

static void test_bzimage_boot_state(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;
	struct kvm_sregs s;
	struct kvm_regs r;

	make_bzimage();
	assert_int_equal(load(f, bz, sizeof(bz), NULL, false, &img), 0);
	assert_int_equal(rd32(gpa(f, LINUX_BOOT_ZERO_PAGE) + 0x218), 0);
	assert_int_equal(*gpa(f, LINUX_BOOT_CMDLINE), 0);   /* empty */

	/* The GDT and an identity map covering the kernel and boot data. */
	assert_memory_equal(gpa(f, LINUX_BOOT_GDT), linux_boot_gdt,
			    sizeof(linux_boot_gdt));
	const uint64_t *pml4 = (const uint64_t *)gpa(f, KVMBUS_BOOT_PAGETABLES);
	assert_true(pml4[0] & BOOT_PTE_PRESENT);
	const uint64_t *pdpt = (const uint64_t *)gpa(f, pml4[0] & BOOT_PTE_ADDR_MASK);
	const uint64_t *pd = (const uint64_t *)gpa(f, pdpt[0] & BOOT_PTE_ADDR_MASK);
	assert_int_equal(pd[LOAD >> 21] & BOOT_PTE_ADDR_MASK, LOAD);
	assert_true(pd[0] & BOOT_PTE_LARGE);

	memset(&s, 0, sizeof(s));
	s.apic_base = 0xFEE00900;
	linux_boot_set_sregs(&s, &img);
	assert_int_equal(s.apic_base, 0xFEE00900);  /* kept */
	assert_int_equal(s.cs.selector, 0x10);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(s.ds.selector, 0x18);
	assert_int_equal(s.ss.selector, 0x18);
	assert_int_equal(s.gdt.base, LINUX_BOOT_GDT);
	assert_int_equal(s.gdt.limit, 6 * 8 - 1);
	assert_true(s.cr0 & BOOT_CR0_PG);
	assert_true(s.cr0 & BOOT_CR0_PE);
	assert_int_equal(s.cr3, KVMBUS_BOOT_PAGETABLES);
	assert_true(s.cr4 & BOOT_CR4_PAE);
	assert_int_equal(s.efer, BOOT_EFER_LME | BOOT_EFER_LMA);

	linux_boot_set_regs(&r, &img);
	assert_int_equal(r.rip, LOAD + 0x200);
	assert_int_equal(r.rsi, LINUX_BOOT_ZERO_PAGE);
	assert_int_equal(r.rflags, 0x2);             /* IF clear */
	assert_int_equal(r.rsp, LINUX_BOOT_STACK_TOP);
}

/* Every GDT descriptor agrees with the segment registers it backs. */
static void test_gdt_matches_segments(void **state)
{
	(void)state;
	/* 64-bit code: L=1 (bit 53), D=0 (bit 54); 32-bit code: D=1, L=0. */
	assert_true(linux_boot_gdt[2] & (1ull << 53));
	assert_false(linux_boot_gdt[2] & (1ull << 54));
	assert_false(linux_boot_gdt[1] & (1ull << 53));
	assert_true(linux_boot_gdt[1] & (1ull << 54));
	/* TSS: limit 0x67, type 0xB, present, system (S=0). */
	assert_int_equal(linux_boot_gdt[4] & 0xFFFF, 0x67);
	assert_int_equal((linux_boot_gdt[4] >> 40) & 0xFF, 0x8B);
}

/* One field spoilt at a time; each refusal names the problem, and guest
 * RAM (zero page, kernel location) is left untouched. */
static void expect_bz_refused(struct fixture *f, size_t len, const char *cmd,
			      bool initrd, const char *why)
{
	struct linux_image img;

	memset(f->ram, GARBAGE, 2 * MIB);
	memset(f->ram + LOAD, GARBAGE, 4096);
	assert_int_equal(load(f, bz, len, cmd, initrd, &img), -1);
	if (!strstr(f->err, why))
		fail_msg("error '%s' does not mention '%s'", f->err, why);
	assert_int_equal(*gpa(f, LINUX_BOOT_ZERO_PAGE), GARBAGE);
	assert_int_equal(*gpa(f, LINUX_BOOT_GDT), GARBAGE);
	assert_int_equal(*gpa(f, LOAD), GARBAGE);
}

static void test_bzimage_hostile_headers(void **state)
{
	struct fixture *f = *state;

	make_bzimage(); wr16(bz + 0x1FE, 0);
	expect_bz_refused(f, sizeof(bz), NULL, false, "boot_flag");
	make_bzimage(); wr16(bz + 0x206, 0x020B);
	expect_bz_refused(f, sizeof(bz), NULL, false, "2.12");
	make_bzimage(); wr16(bz + 0x236, 0x2);
	expect_bz_refused(f, sizeof(bz), NULL, false, "XLF_KERNEL_64");
	make_bzimage(); bz[0x211] = 0;
	expect_bz_refused(f, sizeof(bz), NULL, false, "LOADED_HIGH");
	make_bzimage(); bz[0x201] = 0xFF;
	expect_bz_refused(f, sizeof(bz), NULL, false, "setup header ends");
	make_bzimage(); bz[0x201] = 0x10;
	expect_bz_refused(f, sizeof(bz), NULL, false, "setup header ends");
	make_bzimage(); bz[0x1F1] = 200;
	expect_bz_refused(f, sizeof(bz), NULL, false, "setup sectors");
	make_bzimage(); wr32(bz + 0x1F4, 0xFFFFFFFF);
	expect_bz_refused(f, sizeof(bz), NULL, false, "syssize");
	make_bzimage(); wr32(bz + 0x1F4, 0);
	expect_bz_refused(f, sizeof(bz), NULL, false, "syssize");
	make_bzimage(); wr32(bz + 0x1F4, 0x10);   /* 256 bytes: no +0x200 */
	expect_bz_refused(f, sizeof(bz), NULL, false, "+0x200");
	make_bzimage(); wr32(bz + 0x260, 0x100);
	expect_bz_refused(f, sizeof(bz), NULL, false, "init_size");
	make_bzimage(); wr64(bz + 0x258, LOAD + 0x1000);
	expect_bz_refused(f, sizeof(bz), NULL, false, "kernel_alignment");
	make_bzimage(); wr32(bz + 0x230, 0x300000);
	expect_bz_refused(f, sizeof(bz), NULL, false, "kernel_alignment");
	make_bzimage(); wr64(bz + 0x258, RAM_SIZE - 0x200000);
	wr32(bz + 0x260, 0x400000);
	expect_bz_refused(f, sizeof(bz), NULL, false, "needs RAM");
	make_bzimage(); wr64(bz + 0x258, 0xFFFFFFFFFFE00000ull);
	expect_bz_refused(f, sizeof(bz), NULL, false, "needs RAM");
	make_bzimage(); bz[0x234] = 0; wr64(bz + 0x258, 0x80000);
	expect_bz_refused(f, sizeof(bz), NULL, false, "needs RAM");
	make_bzimage();
	expect_bz_refused(f, 0x230, NULL, false, "too short");
	expect_bz_refused(f, BZ_SETUP_SIZE, NULL, false, "setup sectors");
	make_bzimage(); wr32(bz + 0x238, 10);
	expect_bz_refused(f, sizeof(bz), "console=ttyS0 quiet", false,
			  "command line");
	/* initrd_addr_max below the kernel's end leaves it no room. */
	make_bzimage(); wr32(bz + 0x22C, LOAD + BZ_INIT_SIZE + 0x1000);
	expect_bz_refused(f, sizeof(bz), NULL, true, "initrd");
}

/* The initrd honours initrd_addr_max: it ends at or below it. */
static void test_bzimage_initrd_addr_max(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;

	make_bzimage();
	wr32(bz + 0x22C, 0x1FFFFFF);               /* 32 MiB - 1 */
	assert_int_equal(load(f, bz, sizeof(bz), NULL, true, &img), 0);
	assert_int_equal(img.initrd_base, (0x2000000 - 10000) & ~0xFFFull);
	assert_true(img.initrd_base + img.initrd_size - 1 <= 0x1FFFFFF);
	assert_true(img.initrd_base >= img.kernel_end);
}

/* ---- A synthetic ELF vmlinux with a PVH note ------------------------------- */

#define ELF_LEN     0x5000
#define PVH_ENTRY   (LOAD + 0x40)
#define TEXT_FILESZ 0x2000
#define TEXT_MEMSZ  0x5000
#define DATA_PADDR  (LOAD + 0x800000)

static uint8_t elf[ELF_LEN];

/* One ELF note at `at`: namesz, descsz, type, name, desc (4-aligned). */
static size_t note(uint8_t *at, const char *name, uint32_t type,
		   const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t off = 12;

	wr32(at, namesz);
	wr32(at + 4, descsz);
	wr32(at + 8, type);
	memcpy(at + off, name, namesz);
	off += (namesz + 3) & ~3u;
	memcpy(at + off, desc, descsz);
	off += (descsz + 3) & ~3u;
	return off;
}

static Elf64_Phdr *phdr(int i)
{
	return (Elf64_Phdr *)(elf + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

/* Ehdr, then PT_LOAD text (R+X, with bss), PT_LOAD data, PT_NOTE with a
 * GNU build-id note followed by Xen's PHYS32_ENTRY (an 8-byte value, as
 * Linux 6.1 emits it). */
static void make_vmlinux(uint32_t entry_descsz, uint64_t entry)
{
	memset(elf, 0, sizeof(elf));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0xffffffff81000000ull;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;

	*phdr(0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = 0x1000, .p_vaddr = 0xffffffff81000000ull,
		.p_paddr = LOAD, .p_filesz = TEXT_FILESZ, .p_memsz = TEXT_MEMSZ,
		.p_align = 0x200000 };
	*phdr(1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = 0x3000, .p_vaddr = 0xffffffff81800000ull,
		.p_paddr = DATA_PADDR, .p_filesz = 0x1000, .p_memsz = 0x1000,
		.p_align = 0x200000 };
	uint8_t id[20], val[8];
	memset(id, 0x42, sizeof(id));
	wr64(val, entry);
	size_t n = note(elf + 0x4000, "GNU", 3, id, sizeof(id));
	n += note(elf + 0x4000 + n, "Xen", 18, val, entry_descsz);
	*phdr(2) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R,
		.p_offset = 0x4000, .p_filesz = n, .p_align = 4 };
	for (size_t i = 0x1000; i < 0x4000; i++)
		elf[i] = (uint8_t)(i * 5 + 1);
}

static void test_pvh_start_info(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;

	make_vmlinux(8, PVH_ENTRY);
	assert_int_equal(load(f, elf, sizeof(elf), "console=ttyS0", true,
			      &img), 0);
	assert_int_equal(img.kind, LINUX_ENTRY_PVH);
	assert_int_equal(img.entry, PVH_ENTRY);
	assert_int_equal(img.boot_info, LINUX_BOOT_START_INFO);
	assert_int_equal(img.kernel_base, LOAD);
	assert_int_equal(img.kernel_end, DATA_PADDR + 0x1000);
	assert_int_equal(img.initrd_base, INITRD_BASE);

	const uint8_t *si = gpa(f, LINUX_BOOT_START_INFO);
	assert_int_equal(rd32(si + 0), 0x336ec578);   /* magic */
	assert_int_equal(rd32(si + 4), 1);            /* version */
	assert_int_equal(rd32(si + 8), 0);            /* flags */
	assert_int_equal(rd32(si + 12), 1);           /* nr_modules */
	uint64_t modlist = rd64(si + 16);
	assert_int_equal(rd64(si + 24), LINUX_BOOT_CMDLINE);
	assert_int_equal(rd64(si + 32), RSDP);
	uint64_t memmap = rd64(si + 40);
	assert_int_equal(memmap, LINUX_BOOT_PVH_MEMMAP);
	assert_int_equal(rd32(si + 48), NR_E820);
	assert_int_equal(rd32(si + 52), 0);

	const uint8_t *mod = gpa(f, modlist);
	assert_int_equal(modlist % 8, 0);
	assert_true(modlist >= LINUX_BOOT_START_INFO + 56);
	assert_int_equal(rd64(mod), INITRD_BASE);
	assert_int_equal(rd64(mod + 8), 10000);
	assert_int_equal(rd64(mod + 16), 0);
	assert_int_equal(rd64(mod + 24), 0);

	for (size_t i = 0; i < NR_E820; i++) {
		const uint8_t *e = gpa(f, memmap + 24 * i);
		assert_int_equal(rd64(e), want_e820[i].addr);
		assert_int_equal(rd64(e + 8), want_e820[i].size);
		assert_int_equal(rd32(e + 16), want_e820[i].type);
		assert_int_equal(rd32(e + 20), 0);
	}

	/* Segments at their physical addresses, bss cleared. */
	assert_memory_equal(gpa(f, LOAD), elf + 0x1000, TEXT_FILESZ);
	assert_int_equal(*gpa(f, LOAD + TEXT_FILESZ), 0);
	assert_int_equal(*gpa(f, LOAD + TEXT_MEMSZ - 1), 0);
	assert_int_equal(*gpa(f, LOAD + TEXT_MEMSZ), GARBAGE);
	assert_memory_equal(gpa(f, DATA_PADDR), elf + 0x3000, 0x1000);
	assert_memory_equal(gpa(f, INITRD_BASE), f->initrd, sizeof(f->initrd));
	assert_string_equal((const char *)gpa(f, LINUX_BOOT_CMDLINE),
			    "console=ttyS0");
	/* PVH needs no page tables: the area is left alone. */
	assert_int_equal(*gpa(f, KVMBUS_BOOT_PAGETABLES), GARBAGE);
}

static void test_pvh_boot_state(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;
	struct kvm_sregs s;
	struct kvm_regs r;

	make_vmlinux(4, PVH_ENTRY);                /* 4-byte note value */
	assert_int_equal(load(f, elf, sizeof(elf), NULL, false, &img), 0);
	assert_int_equal(img.entry, PVH_ENTRY);
	assert_int_equal(rd32(gpa(f, LINUX_BOOT_START_INFO) + 12), 0);

	memset(&s, 0xFF, sizeof(s));
	linux_boot_set_sregs(&s, &img);
	/* 32-bit protected mode, paging off (PVH "x86/HVM direct boot ABI"). */
	assert_int_equal(s.cr0, BOOT_CR0_PE | BOOT_CR0_ET);
	assert_int_equal(s.cr4, 0);
	assert_int_equal(s.efer, 0);
	assert_int_equal(s.cs.selector, 0x08);
	assert_int_equal(s.cs.db, 1);
	assert_int_equal(s.cs.l, 0);
	assert_int_equal(s.cs.base, 0);
	assert_int_equal(s.cs.limit, 0xFFFFFFFF);
	assert_int_equal(s.cs.type, 0xB);
	assert_int_equal(s.ds.db, 1);
	assert_int_equal(s.ds.type, 0x3);
	assert_int_equal(s.ss.limit, 0xFFFFFFFF);
	assert_int_equal(s.tr.base, 0);
	assert_int_equal(s.tr.limit, 0x67);
	assert_int_equal(s.tr.type, 0xB);
	assert_int_equal(s.tr.s, 0);

	linux_boot_set_regs(&r, &img);
	assert_int_equal(r.rip, PVH_ENTRY);
	assert_int_equal(r.rbx, LINUX_BOOT_START_INFO);
	assert_int_equal(r.rflags, 0x2);   /* IF, TF, VM clear */
}

static void expect_elf_refused(struct fixture *f, size_t len, const char *cmd,
			       const char *why)
{
	struct linux_image img;

	memset(f->ram, GARBAGE, 2 * MIB);
	memset(f->ram + LOAD, GARBAGE, 4096);
	assert_int_equal(load(f, elf, len, cmd, false, &img), -1);
	if (!strstr(f->err, why))
		fail_msg("error '%s' does not mention '%s'", f->err, why);
	assert_int_equal(*gpa(f, LINUX_BOOT_START_INFO), GARBAGE);
	assert_int_equal(*gpa(f, LOAD), GARBAGE);
}

static void test_pvh_hostile_images(void **state)
{
	struct fixture *f = *state;

	make_vmlinux(8, PVH_ENTRY); phdr(2)->p_type = PT_NULL;
	expect_elf_refused(f, sizeof(elf), NULL, "no PVH entry point");
	make_vmlinux(8, DATA_PADDR);               /* not executable */
	expect_elf_refused(f, sizeof(elf), NULL, "not inside");
	make_vmlinux(8, LOAD + TEXT_FILESZ);       /* bss, not file bytes */
	expect_elf_refused(f, sizeof(elf), NULL, "not inside");
	make_vmlinux(2, PVH_ENTRY);
	expect_elf_refused(f, sizeof(elf), NULL, "2-byte");
	make_vmlinux(8, 0x100001000ull);
	expect_elf_refused(f, sizeof(elf), NULL, "32-bit");
	make_vmlinux(8, PVH_ENTRY); wr32(elf + 0x4000, 0xFFFFFFF0);
	expect_elf_refused(f, sizeof(elf), NULL, "runs past");
	make_vmlinux(8, PVH_ENTRY); phdr(2)->p_filesz = 0x10000;
	expect_elf_refused(f, sizeof(elf), NULL, "beyond the end");
	make_vmlinux(8, PVH_ENTRY); phdr(0)->p_paddr = 0x80000;
	expect_elf_refused(f, sizeof(elf), NULL, "not inside RAM");
	make_vmlinux(8, PVH_ENTRY); phdr(1)->p_paddr = RAM_SIZE - 0x800;
	expect_elf_refused(f, sizeof(elf), NULL, "not inside RAM");
	make_vmlinux(8, PVH_ENTRY); phdr(1)->p_paddr = 0xFFFFFFFFFFFFF800ull;
	expect_elf_refused(f, sizeof(elf), NULL, "not inside RAM");
	make_vmlinux(8, PVH_ENTRY); phdr(1)->p_filesz = 0x2000;
	expect_elf_refused(f, sizeof(elf), NULL, "exceeds memory size");
	make_vmlinux(8, PVH_ENTRY); phdr(1)->p_offset = 0x4800;
	phdr(1)->p_filesz = phdr(1)->p_memsz = 0x1000;
	expect_elf_refused(f, sizeof(elf), NULL, "beyond the end");
	make_vmlinux(8, PVH_ENTRY); phdr(1)->p_paddr = LOAD + 0x4000;
	expect_elf_refused(f, sizeof(elf), NULL, "overlaps");
	make_vmlinux(8, PVH_ENTRY); ((Elf64_Ehdr *)elf)->e_phoff = ELF_LEN - 8;
	expect_elf_refused(f, sizeof(elf), NULL, "program headers");
	make_vmlinux(8, PVH_ENTRY); ((Elf64_Ehdr *)elf)->e_phnum = 0;
	expect_elf_refused(f, sizeof(elf), NULL, "program headers");
	make_vmlinux(8, PVH_ENTRY); ((Elf64_Ehdr *)elf)->e_phnum = 65;
	expect_elf_refused(f, sizeof(elf), NULL, "program headers");
	make_vmlinux(8, PVH_ENTRY); elf[EI_CLASS] = ELFCLASS32;
	expect_elf_refused(f, sizeof(elf), NULL, "ELF64");
	make_vmlinux(8, PVH_ENTRY); ((Elf64_Ehdr *)elf)->e_type = ET_DYN;
	expect_elf_refused(f, sizeof(elf), NULL, "ET_EXEC");
	make_vmlinux(8, PVH_ENTRY);
	expect_elf_refused(f, 40, NULL, "truncated");
	static char longcmd[LINUX_BOOT_CMDLINE_MAX + 1];
	memset(longcmd, 'x', LINUX_BOOT_CMDLINE_MAX);
	expect_elf_refused(f, sizeof(elf), longcmd, "command line");

	/* 2047 characters is the longest that fits. */
	struct linux_image img;
	longcmd[LINUX_BOOT_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(load(f, elf, sizeof(elf), longcmd, false, &img), 0);
}

static void test_unknown_format(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;
	static const uint8_t junk[4096] = { 'M', 'Z' };

	assert_int_equal(load(f, junk, sizeof(junk), NULL, false, &img), -1);
	assert_non_null(strstr(f->err, "neither"));
	assert_int_equal(load(f, junk, 2, NULL, false, &img), -1);
}

/* The file front end: a kernel and an initrd on disk. */
static void test_load_files(void **state)
{
	struct fixture *f = *state;
	struct linux_image img;
	char kpath[] = "/tmp/kvmbus-lb-kernel-XXXXXX";
	char ipath[] = "/tmp/kvmbus-lb-initrd-XXXXXX";
	int kfd = mkstemp(kpath), ifd = mkstemp(ipath);

	assert_true(kfd >= 0 && ifd >= 0);
	make_bzimage();
	assert_int_equal(write(kfd, bz, sizeof(bz)), (ssize_t)sizeof(bz));
	assert_int_equal(write(ifd, f->initrd, sizeof(f->initrd)),
			 (ssize_t)sizeof(f->initrd));
	close(kfd);
	close(ifd);

	assert_int_equal(linux_boot_load_files(&f->mem, &f->map, kpath, ipath,
					       "root=/dev/ram0", RSDP, &img,
					       f->err, sizeof(f->err)), 0);
	assert_int_equal(img.kind, LINUX_ENTRY_64);
	assert_int_equal(img.initrd_size, sizeof(f->initrd));
	assert_memory_equal(gpa(f, img.initrd_base), f->initrd,
			    sizeof(f->initrd));

	assert_int_equal(linux_boot_load_files(&f->mem, &f->map,
					       "/nonexistent/vmlinux", NULL,
					       NULL, 0, &img, f->err,
					       sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "/nonexistent/vmlinux"));
	assert_int_equal(linux_boot_load_files(&f->mem, &f->map, kpath,
					       "/nonexistent/initrd", NULL, 0,
					       &img, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "initrd"));
	unlink(kpath);
	unlink(ipath);
}

/* The files are read once and kept: loading twice from memory gives the
 * same image, the second time with another command line, as --boot kdump
 * reloads the kernel under the sandbox. */
static void test_files_kept_for_reload(void **state)
{
	struct fixture *f = *state;
	struct linux_files files;
	struct linux_image first, second;
	char kpath[] = "/tmp/kvmbus-lb-kept-XXXXXX";
	int kfd = mkstemp(kpath);

	assert_true(kfd >= 0);
	make_bzimage();
	assert_int_equal(write(kfd, bz, sizeof(bz)), (ssize_t)sizeof(bz));
	close(kfd);
	assert_int_equal(linux_files_read(&files, kpath, NULL, f->err,
					  sizeof(f->err)), 0);
	unlink(kpath);
	assert_int_equal(files.kernel_len, sizeof(bz));
	assert_null(files.initrd);

	struct linux_boot_args a = {
		.kernel = files.kernel, .kernel_len = files.kernel_len,
		.cmdline = "console=ttyS0", .rsdp = RSDP,
	};
	assert_int_equal(linux_boot_load(&f->mem, &f->map, &a, &first, f->err,
					 sizeof(f->err)), 0);
	uint8_t junk[64];
	memset(junk, GARBAGE, sizeof(junk));
	assert_int_equal(guest_mem_write(&f->mem, LINUX_BOOT_CMDLINE, junk,
					 sizeof(junk)), 0);
	a.cmdline = "console=ttyS0 nr_cpus=1";
	assert_int_equal(linux_boot_load(&f->mem, &f->map, &a, &second, f->err,
					 sizeof(f->err)), 0);
	assert_memory_equal(&first, &second, sizeof(first));
	assert_string_equal((const char *)gpa(f, LINUX_BOOT_CMDLINE),
			    "console=ttyS0 nr_cpus=1");

	linux_files_free(&files);
	assert_null(files.kernel);
	assert_int_equal(linux_files_read(&files, "/nonexistent/bzImage", NULL,
					  f->err, sizeof(f->err)), -1);
	assert_null(files.kernel);
}

static void test_kdump_cmdline(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(linux_kdump_cmdline("console=ttyS0 panic=-1", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "console=ttyS0 panic=-1 nr_cpus=1");
	assert_int_equal(linux_kdump_cmdline(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "nr_cpus=1");
	assert_int_equal(linux_kdump_cmdline("", out, sizeof(out)), 0);
	assert_string_equal(out, "nr_cpus=1");
	/* The first kernel's own choice is kept. */
	assert_int_equal(linux_kdump_cmdline("nr_cpus=2 quiet", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "nr_cpus=2 quiet");
	assert_int_equal(linux_kdump_cmdline("quiet nr_cpus=4", out,
					     sizeof(out)), 0);
	assert_string_equal(out, "quiet nr_cpus=4");
	/* Only a whole word counts. */
	assert_int_equal(linux_kdump_cmdline("xnr_cpus=4", out, sizeof(out)), 0);
	assert_string_equal(out, "xnr_cpus=4 nr_cpus=1");
	/* Too long: refused, never cut. */
	assert_int_equal(linux_kdump_cmdline("console=ttyS0", out, 23), -1);
	assert_int_equal(linux_kdump_cmdline("console=ttyS0", out, 24), 0);
	assert_string_equal(out, "console=ttyS0 nr_cpus=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bzimage_zero_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_boot_state, setup, teardown),
		cmocka_unit_test(test_gdt_matches_segments),
		cmocka_unit_test_setup_teardown(test_bzimage_hostile_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_initrd_addr_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_start_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_boot_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pvh_hostile_images, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_kept_for_reload, setup, teardown),
		cmocka_unit_test(test_kdump_cmdline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
