// SPDX-License-Identifier: MIT
/*
 * The ELF loader: a valid image lands byte for byte (bss zeroed), and
 * every malformed or misplaced image is refused whole, guest RAM intact.
 * Images are built in memory.
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
#include "vmm/loader.h"

#define RAM_SIZE   (4u << 20)            /* bank 0: [0, 4 MiB) */
#define HIGH_GPA   0x100000000ull        /* bank 1 of the two-bank RAM */
#define HIGH_SIZE  (1u << 20)
#define TEXT_GPA   0x100000ull
#define DATA_GPA   0x200000ull
#define IMAGE_MAX  0x4000u

struct seg {
	uint32_t flags;
	uint64_t vaddr, paddr;
	const uint8_t *bytes;
	uint64_t filesz, memsz;
};

struct fixture {
	struct guest_mem mem;
	uint8_t *ram, *high;
	uint8_t image[IMAGE_MAX];
	size_t len;
	char err[256];
};

static const uint8_t text_bytes[] = { 0xfa, 0xf4, 0xeb, 0xfd, 0x90, 0xc3 };
static const uint8_t data_bytes[] = "kvmbus data segment";

/* Lay out header, program headers, then the segments' file bytes. */
static size_t build_elf(uint8_t *buf, uint64_t entry, const struct seg *segs,
			unsigned n)
{
	Elf64_Ehdr eh = {
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_entry = entry,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = (uint16_t)n,
	};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memset(buf, 0, IMAGE_MAX);
	memcpy(buf, &eh, sizeof(eh));

	size_t off = sizeof(eh) + n * sizeof(Elf64_Phdr);
	for (unsigned i = 0; i < n; i++) {
		Elf64_Phdr ph = {
			.p_type = PT_LOAD,
			.p_flags = segs[i].flags,
			.p_offset = off,
			.p_vaddr = segs[i].vaddr,
			.p_paddr = segs[i].paddr,
			.p_filesz = segs[i].filesz,
			.p_memsz = segs[i].memsz,
			.p_align = 0x1000,
		};
		memcpy(buf + sizeof(eh) + i * sizeof(ph), &ph, sizeof(ph));
		if (segs[i].bytes)
			memcpy(buf + off, segs[i].bytes, segs[i].filesz);
		off += segs[i].filesz;
	}
	return off;
}

/* The usual good image: text at 1 MiB (entry at its start), data with a
 * bss tail at 2 MiB. */
static void build_good(struct fixture *f)
{
	const struct seg segs[] = {
		{ PF_R | PF_X, TEXT_GPA, TEXT_GPA, text_bytes,
		  sizeof(text_bytes), sizeof(text_bytes) },
		{ PF_R | PF_W, DATA_GPA, DATA_GPA, data_bytes,
		  sizeof(data_bytes), 0x1000 },
	};
	f->len = build_elf(f->image, TEXT_GPA, segs, 2);
}

static Elf64_Ehdr *ehdr(struct fixture *f)
{
	return (Elf64_Ehdr *)f->image;
}

static Elf64_Phdr *phdr(struct fixture *f, unsigned i)
{
	return (Elf64_Phdr *)(f->image + sizeof(Elf64_Ehdr)) + i;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->ram = calloc(1, RAM_SIZE);
	f->high = calloc(1, HIGH_SIZE);
	assert_non_null(f->ram);
	assert_non_null(f->high);
	f->mem.bank[0] = (struct guest_mem_bank){ 0, RAM_SIZE, f->ram };
	f->mem.bank[1] = (struct guest_mem_bank){ HIGH_GPA, HIGH_SIZE, f->high };
	f->mem.nr_banks = 2;
	build_good(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->ram);
	free(f->high);
	free(f);
	return 0;
}

static int load(struct fixture *f, struct loaded_image *img)
{
	f->err[0] = '\0';
	return loader_load_elf(&f->mem, f->image, f->len, img, f->err,
			       sizeof(f->err));
}

/* Refused with a message containing `needle`, and RAM left all zero. */
static void assert_refused(struct fixture *f, const char *needle)
{
	struct loaded_image img;

	assert_int_equal(load(f, &img), -1);
	if (!strstr(f->err, needle))
		fail_msg("error '%s' does not mention '%s'", f->err, needle);
	for (size_t i = 0; i < RAM_SIZE; i++)
		if (f->ram[i])
			fail_msg("RAM modified at 0x%zx by a refused image", i);
}

static void test_valid_image_loads(void **state)
{
	struct fixture *f = *state;
	struct loaded_image img;

	/* Garbage where the bss goes: the loader must zero it. */
	memset(f->ram + DATA_GPA, 0xAA, 0x2000);
	assert_int_equal(load(f, &img), 0);
	assert_int_equal(img.entry, TEXT_GPA);
	assert_int_equal(img.lowest, TEXT_GPA);
	assert_int_equal(img.highest, DATA_GPA + 0x1000);
	assert_int_equal(img.nr_segments, 2);
	assert_memory_equal(f->ram + TEXT_GPA, text_bytes, sizeof(text_bytes));
	assert_memory_equal(f->ram + DATA_GPA, data_bytes, sizeof(data_bytes));
	for (size_t i = sizeof(data_bytes); i < 0x1000; i++)
		assert_int_equal(f->ram[DATA_GPA + i], 0);
	/* Past p_memsz nothing was touched. */
	assert_int_equal(f->ram[DATA_GPA + 0x1000], 0xAA);
	/* Before the text segment nothing was written. */
	assert_int_equal(f->ram[TEXT_GPA - 1], 0);
}

static void test_entry_in_middle_and_high_bank(void **state)
{
	struct fixture *f = *state;
	struct loaded_image img;
	const struct seg segs[] = {
		{ PF_R | PF_X, HIGH_GPA + 0x1000, HIGH_GPA + 0x1000, text_bytes,
		  sizeof(text_bytes), sizeof(text_bytes) },
	};

	f->len = build_elf(f->image, HIGH_GPA + 0x1003, segs, 1);
	assert_int_equal(load(f, &img), 0);
	assert_int_equal(img.entry, HIGH_GPA + 0x1003);
	assert_memory_equal(f->high + 0x1000, text_bytes, sizeof(text_bytes));
}

static void test_truncated_header(void **state)
{
	struct fixture *f = *state;

	f->len = 20;
	assert_refused(f, "truncated");
	f->len = sizeof(Elf64_Ehdr) - 1;
	assert_refused(f, "truncated");
}

static void test_bad_magic(void **state)
{
	struct fixture *f = *state;

	f->image[1] = 'X';
	assert_refused(f, "magic");
}

static void test_wrong_class(void **state)
{
	struct fixture *f = *state;

	f->image[EI_CLASS] = ELFCLASS32;
	assert_refused(f, "64-bit");
}

static void test_wrong_endianness(void **state)
{
	struct fixture *f = *state;

	f->image[EI_DATA] = ELFDATA2MSB;
	assert_refused(f, "little-endian");
}

static void test_wrong_machine(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_machine = EM_386;
	assert_refused(f, "x86-64");
	ehdr(f)->e_machine = EM_AARCH64;
	assert_refused(f, "x86-64");
}

static void test_not_exec(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_type = ET_DYN;
	assert_refused(f, "ET_EXEC");
}

static void test_program_headers_beyond_file(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_phoff = f->len - 8;
	assert_refused(f, "program headers");
	ehdr(f)->e_phoff = UINT64_MAX - 8;   /* offset + size would wrap */
	assert_refused(f, "program headers");
}

static void test_bad_phentsize_and_count(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_phentsize = 32;
	assert_refused(f, "program header size");
	ehdr(f)->e_phentsize = sizeof(Elf64_Phdr);
	ehdr(f)->e_phnum = 0;
	assert_refused(f, "no program headers");
	ehdr(f)->e_phnum = 0xFFFF;
	assert_refused(f, "too many");
}

static void test_segment_beyond_file(void **state)
{
	struct fixture *f = *state;

	phdr(f, 1)->p_filesz = 0x800;   /* memsz is 0x1000; file is short */
	assert_refused(f, "beyond the end of the file");
	build_good(f);
	phdr(f, 0)->p_offset = UINT64_MAX - 2;   /* would wrap */
	assert_refused(f, "beyond the end of the file");
}

static void test_filesz_above_memsz(void **state)
{
	struct fixture *f = *state;

	phdr(f, 0)->p_memsz = 2;
	assert_refused(f, "exceeds memory size");
}

static void test_segment_outside_ram(void **state)
{
	struct fixture *f = *state;

	/* Wholly past the end of bank 0. */
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = 0x10000000;
	assert_refused(f, "not inside guest RAM");
	/* Straddling the end of bank 0. */
	build_good(f);
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = RAM_SIZE - 0x800;
	assert_refused(f, "not inside guest RAM");
	/* Wrapping around the address space. */
	build_good(f);
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = UINT64_MAX - 0x10;
	assert_refused(f, "wraps");
}

static void test_segment_in_mmio_gap(void **state)
{
	struct fixture *f = *state;

	/* Between the banks lies the low MMIO gap (0xC0000000 by default). */
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = 0xC0000000;
	assert_refused(f, "not inside guest RAM");
	build_good(f);
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = 0xFEE00000;
	assert_refused(f, "not inside guest RAM");
}

static void test_segment_in_boot_area(void **state)
{
	struct fixture *f = *state;

	/* The device tree area, below KVMBUS_GUEST_LOAD_MIN. */
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = KVMBUS_BOOT_FDT;
	assert_refused(f, "below");
	build_good(f);
	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = KVMBUS_GUEST_LOAD_MIN - 0x10;
	assert_refused(f, "below");
}

static void test_virtual_differs_from_physical(void **state)
{
	struct fixture *f = *state;

	phdr(f, 1)->p_vaddr = 0xffffffff80200000ull;
	assert_refused(f, "identity");
}

static void test_entry_outside_segments(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_entry = 0x300000;
	assert_refused(f, "entry point");
	/* In the data segment, which is not executable. */
	ehdr(f)->e_entry = DATA_GPA;
	assert_refused(f, "entry point");
	/* One past the text's file bytes. */
	ehdr(f)->e_entry = TEXT_GPA + sizeof(text_bytes);
	assert_refused(f, "entry point");
}

static void test_overlapping_segments(void **state)
{
	struct fixture *f = *state;

	phdr(f, 1)->p_paddr = phdr(f, 1)->p_vaddr = TEXT_GPA + 2;
	assert_refused(f, "overlaps");
}

static void test_dynamic_image(void **state)
{
	struct fixture *f = *state;

	phdr(f, 1)->p_type = PT_INTERP;
	assert_refused(f, "PT_INTERP");
}

static void test_no_loadable_segment(void **state)
{
	struct fixture *f = *state;

	phdr(f, 0)->p_type = PT_NOTE;
	phdr(f, 1)->p_type = PT_NOTE;
	assert_refused(f, "no loadable");
}

static void test_load_file(void **state)
{
	struct fixture *f = *state;
	char path[] = "/tmp/kvmbus-test-loader-XXXXXX";
	struct loaded_image img;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->image, f->len), (ssize_t)f->len);
	close(fd);
	assert_int_equal(loader_load_file(&f->mem, path, &img, f->err,
					  sizeof(f->err)), 0);
	assert_int_equal(img.entry, TEXT_GPA);
	assert_memory_equal(f->ram + TEXT_GPA, text_bytes, sizeof(text_bytes));
	unlink(path);

	assert_int_equal(loader_load_file(&f->mem, path, &img, f->err,
					  sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "cannot open"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_valid_image_loads),
		T(test_entry_in_middle_and_high_bank),
		T(test_truncated_header),
		T(test_bad_magic),
		T(test_wrong_class),
		T(test_wrong_endianness),
		T(test_wrong_machine),
		T(test_not_exec),
		T(test_program_headers_beyond_file),
		T(test_bad_phentsize_and_count),
		T(test_segment_beyond_file),
		T(test_filesz_above_memsz),
		T(test_segment_outside_ram),
		T(test_segment_in_mmio_gap),
		T(test_segment_in_boot_area),
		T(test_virtual_differs_from_physical),
		T(test_entry_outside_segments),
		T(test_overlapping_segments),
		T(test_dynamic_image),
		T(test_no_loadable_segment),
		T(test_load_file),
	};
#undef T
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
