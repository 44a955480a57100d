// SPDX-License-Identifier: MIT
/*
 * The UEFI-style zero page (vmm/linux_efi.c): read back, at the offsets
 * Linux 6.1 reads them, what makes setup_arch() set EFI_BOOT and what
 * vmbus_reserve_fb() then takes as the framebuffer; the EFI memory map
 * must say what E820 says; and runtime services are turned off on the
 * command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "vmm/linux_efi.h"

#define AREA_GPA 0x6000ull

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static const struct linux_efi_fb fb = {
	.base = 0xC0000000ull, .size = 8u << 20,
	.width = 1024, .height = 768, .depth = 32, .stride = 4096,
};

/* E820 as firmware/e820.c builds it, with an unaligned RAM end. */
static const struct e820_map e820 = {
	.entry = {
		{ 0x0, 0xA0000, 1 },
		{ 0xE0000, 0x20000, 2 },
		{ 0x100000, 0x7F00000 - 0x800, 1 },
		{ 0x100000000ull, 0x10000000, 1 },
		{ 0x9000000, 0x10, 3 },
	},
	.nr = 5,
};

static void test_efi_info_and_screen_info(void **state)
{
	uint8_t zp[4096] = { 0 }, area[LINUX_EFI_AREA_SIZE];
	char err[128];
	(void)state;

	assert_int_equal(linux_efi_build(zp, area, AREA_GPA, sizeof(area), &e820,
					 &fb, err, sizeof(err)), 0);
	/* efi_info at 0x1C0: "EL64" is what sets EFI_BOOT and EFI_64BIT. */
	assert_memory_equal(zp + 0x1C0, "EL64", 4);
	assert_int_equal(rd32(zp + 0x1C4), AREA_GPA);
	assert_int_equal(rd32(zp + 0x1D8), 0);
	assert_int_equal(rd32(zp + 0x1C8), 48);
	assert_int_equal(rd32(zp + 0x1CC), 1);
	uint32_t map = rd32(zp + 0x1D0);
	assert_true(map > AREA_GPA && map < AREA_GPA + sizeof(area));
	assert_int_equal(rd32(zp + 0x1D4), 5 * 48);
	/* screen_info: VIDEO_TYPE_EFI and the framebuffer. */
	assert_int_equal(zp[0x0F], 0x70);
	assert_int_equal(rd32(zp + 0x18), 0xC0000000u);
	assert_int_equal(rd32(zp + 0x1C), 8u << 20);
	assert_int_equal(rd16(zp + 0x12), 1024);
	assert_int_equal(rd16(zp + 0x14), 768);
	assert_int_equal(rd16(zp + 0x16), 32);
	assert_int_equal(rd16(zp + 0x24), 4096);
	assert_int_equal(rd32(zp + 0x3A), 0);
	/* The system table: signature, a 2.x revision, no config tables. */
	assert_int_equal(rd64(area), 0x5453595320494249ull);
	assert_int_equal(rd32(area + 8) >> 16, 2);
	assert_int_equal(rd32(area + 104), 0);
	uint64_t vendor = rd64(area + 24) - AREA_GPA;
	assert_int_equal(rd16(area + vendor), 'k');
}

static void test_memory_map_follows_e820(void **state)
{
	uint8_t zp[4096] = { 0 }, area[LINUX_EFI_AREA_SIZE];
	char err[128];
	(void)state;

	assert_int_equal(linux_efi_build(zp, area, AREA_GPA, sizeof(area), &e820,
					 &fb, err, sizeof(err)), 0);
	const uint8_t *md = area + (rd32(zp + 0x1D0) - AREA_GPA);
	/* { type, phys, pages } per entry, in E820's order. */
	static const uint64_t want[5][3] = {
		{ 7, 0x0, 0xA0 },
		{ 0, 0xE0000, 0x20 },
		{ 7, 0x100000, 0x7F00 - 1 },     /* the partial page is dropped */
		{ 7, 0x100000000ull, 0x10000 },
		{ 9, 0x9000000, 1 },             /* ACPI grows to a page */
	};
	for (unsigned i = 0; i < 5; i++, md += 48) {
		assert_int_equal(rd32(md), want[i][0]);
		assert_int_equal(rd64(md + 8), want[i][1]);
		assert_int_equal(rd64(md + 24), want[i][2]);
	}
}

static void test_refusals(void **state)
{
	uint8_t zp[4096] = { 0 }, area[64];
	struct linux_efi_fb none = fb;
	char err[128];
	(void)state;

	none.base = 0;
	assert_int_equal(linux_efi_build(zp, area, AREA_GPA, sizeof(area), &e820,
					 &none, err, sizeof(err)), -1);
	assert_int_equal(linux_efi_build(zp, area, AREA_GPA, sizeof(area), &e820,
					 &fb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fit"));
}

static void test_high_framebuffer_uses_ext_base(void **state)
{
	uint8_t zp[4096] = { 0 }, area[LINUX_EFI_AREA_SIZE];
	struct linux_efi_fb high = fb;
	char err[128];
	(void)state;

	high.base = 0x1000000000ull;
	assert_int_equal(linux_efi_build(zp, area, AREA_GPA, sizeof(area), &e820,
					 &high, err, sizeof(err)), 0);
	assert_int_equal(rd32(zp + 0x18), 0);
	assert_int_equal(rd32(zp + 0x3A), 0x10);
	assert_int_equal(rd32(zp + 0x36) & 2, 2);
}

static void test_cmdline_noefi(void **state)
{
	char out[64];
	(void)state;

	assert_int_equal(linux_efi_cmdline(out, sizeof(out), "console=ttyS0"), 0);
	assert_string_equal(out, "console=ttyS0 noefi");
	assert_int_equal(linux_efi_cmdline(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "noefi");
	assert_int_equal(linux_efi_cmdline(out, sizeof(out), "a noefi b"), 0);
	assert_string_equal(out, "a noefi b");
	assert_int_equal(linux_efi_cmdline(out, sizeof(out), "efi=noruntime"), 0);
	assert_string_equal(out, "efi=noruntime");
	/* "xnoefi" is not the word. */
	assert_int_equal(linux_efi_cmdline(out, sizeof(out), "xnoefi"), 0);
	assert_string_equal(out, "xnoefi noefi");
	assert_int_equal(linux_efi_cmdline(out, 8, "console=ttyS0"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_efi_info_and_screen_info),
		cmocka_unit_test(test_memory_map_follows_e820),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_high_framebuffer_uses_ext_base),
		cmocka_unit_test(test_cmdline_noefi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
