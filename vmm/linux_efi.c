// SPDX-License-Identifier: MIT
/*
 * The zero page of a UEFI-booted x86 Linux, without UEFI (see
 * vmm/linux_efi.h for which 6.1 checks make this enough).  Offsets are
 * those of struct boot_params / struct screen_info / efi_system_table_64_t
 * / efi_memory_desc_t in Linux's uapi and include/linux/efi.h.
 */
#include "vmm/linux_efi.h"

#include <stdio.h>
#include <string.h>

#include "vmm/linux_boot_priv.h"

/* boot_params.screen_info (0x000) */
#define SI_ISVGA            0x0F
#define SI_LFB_WIDTH        0x12
#define SI_LFB_HEIGHT       0x14
#define SI_LFB_DEPTH        0x16
#define SI_LFB_BASE         0x18
#define SI_LFB_SIZE         0x1C
#define SI_LFB_LINELENGTH   0x24
#define SI_RED_SIZE         0x26    /* then pos; green, blue, rsvd pairs */
#define SI_CAPABILITIES     0x36
#define SI_EXT_LFB_BASE     0x3A
#define VIDEO_TYPE_EFI      0x70
#define VIDEO_CAP_64BIT_BASE (1u << 1)

/* boot_params.efi_info (0x1C0) */
#define EI_SIGNATURE        0x1C0
#define EI_SYSTAB           0x1C4
#define EI_MEMDESC_SIZE     0x1C8
#define EI_MEMDESC_VERSION  0x1CC
#define EI_MEMMAP           0x1D0
#define EI_MEMMAP_SIZE      0x1D4
#define EI_SYSTAB_HI        0x1D8
#define EI_MEMMAP_HI        0x1DC
#define EFI64_LOADER_SIG    0x34364C45u      /* "EL64" */

/* efi_system_table_64_t: header, then pointers; 120 bytes. */
#define ST_SIZE             120
#define ST_REVISION         8
#define ST_HEADERSIZE       12
#define ST_FW_VENDOR        24
#define ST_NR_TABLES        104
#define ST_TABLES           112
#define EFI_SYSTAB_SIG      0x5453595320494249ull  /* "IBI SYST" */
#define EFI_REVISION_2_70   ((2u << 16) | 70u)
#define HDR_SIZE            24      /* efi_table_hdr_t */

/* efi_memory_desc_t is 40 bytes; firmware commonly strides 48, and
 * Linux walks the map by efi_memdesc_size, so use that. */
#define MD_SIZE             48
#define MD_VERSION          1
#define MD_TYPE             0
#define MD_PHYS             8
#define MD_PAGES            24
#define MD_ATTR             32
#define EFI_PAGE            0x1000ull
#define EFI_RESERVED_TYPE        0
#define EFI_CONVENTIONAL_MEMORY  7
#define EFI_ACPI_RECLAIM_MEMORY  9
#define EFI_ACPI_MEMORY_NVS      10
/* UC | WC | WT | WB: what RAM supports; WB alone for the rest. */
#define EFI_ATTR_RAM        0xFull
#define EFI_ATTR_WB         0x8ull

static const char vendor[] = "kvmbus";

static uint32_t efi_type(uint32_t e820_type)
{
	switch (e820_type) {
	case E820_TYPE_RAM:  return EFI_CONVENTIONAL_MEMORY;
	case E820_TYPE_ACPI: return EFI_ACPI_RECLAIM_MEMORY;
	case E820_TYPE_NVS:  return EFI_ACPI_MEMORY_NVS;
	default:             return EFI_RESERVED_TYPE;
	}
}

static void fill_screen_info(uint8_t *zp, const struct linux_efi_fb *fb)
{
	/* 32-bit x8r8g8b8, as Hyper-V's GOP reports it. */
	static const uint8_t rgbx[8] = { 8, 16, 8, 8, 8, 0, 8, 24 };

	zp[SI_ISVGA] = VIDEO_TYPE_EFI;
	lb_put16(zp + SI_LFB_WIDTH, fb->width);
	lb_put16(zp + SI_LFB_HEIGHT, fb->height);
	lb_put16(zp + SI_LFB_DEPTH, fb->depth);
	lb_put32(zp + SI_LFB_BASE, (uint32_t)fb->base);
	lb_put32(zp + SI_LFB_SIZE, fb->size);
	lb_put16(zp + SI_LFB_LINELENGTH, fb->stride);
	memcpy(zp + SI_RED_SIZE, rgbx, sizeof(rgbx));
	if (fb->base >> 32) {
		lb_put32(zp + SI_CAPABILITIES, VIDEO_CAP_64BIT_BASE);
		lb_put32(zp + SI_EXT_LFB_BASE, (uint32_t)(fb->base >> 32));
	}
}

int linux_efi_build(uint8_t *zp, uint8_t *area, uint64_t area_gpa,
		    size_t area_len, const struct e820_map *e820,
		    const struct linux_efi_fb *fb, char *err, size_t errlen)
{
	const size_t vendor_off = ST_SIZE;
	const size_t map_off = (vendor_off + 2 * sizeof(vendor) + 15) & ~(size_t)15;

	if (!fb || !fb->base)
		return lb_fail(err, errlen, "EFI hand-off without a framebuffer");
	if (e820->nr > E820_MAX_ENTRIES ||
	    map_off + (size_t)e820->nr * MD_SIZE > area_len)
		return lb_fail(err, errlen, "EFI memory map of %u entries does not "
			       "fit in %zu bytes", e820->nr, area_len);
	memset(area, 0, area_len);

	/* The system table: signature and revision are all 6.1 looks at;
	 * runtime = 0 and nr_tables = 0 leave nothing else to follow. */
	lb_put64(area, EFI_SYSTAB_SIG);
	lb_put32(area + ST_REVISION, EFI_REVISION_2_70);
	lb_put32(area + ST_HEADERSIZE, ST_SIZE - HDR_SIZE);
	lb_put64(area + ST_FW_VENDOR, area_gpa + vendor_off);
	lb_put32(area + ST_NR_TABLES, 0);
	lb_put64(area + ST_TABLES, 0);
	for (size_t i = 0; i < sizeof(vendor); i++)   /* UCS-2, NUL too */
		lb_put16(area + vendor_off + 2 * i, (uint8_t)vendor[i]);

	/* The memory map says what E820 says, page-granular: RAM shrinks to
	 * whole pages inside it, everything else grows to cover its pages. */
	unsigned n = 0;
	for (unsigned i = 0; i < e820->nr; i++) {
		const struct e820_entry *e = &e820->entry[i];
		uint64_t lo = e->addr, hi = e->addr + e->size;
		bool ram = e->type == E820_TYPE_RAM;

		lo = ram ? (lo + EFI_PAGE - 1) & ~(EFI_PAGE - 1) : lo & ~(EFI_PAGE - 1);
		hi = ram ? hi & ~(EFI_PAGE - 1) : (hi + EFI_PAGE - 1) & ~(EFI_PAGE - 1);
		if (hi <= lo)
			continue;
		uint8_t *md = area + map_off + (size_t)n * MD_SIZE;
		lb_put32(md + MD_TYPE, efi_type(e->type));
		lb_put64(md + MD_PHYS, lo);
		lb_put64(md + MD_PAGES, (hi - lo) / EFI_PAGE);
		lb_put64(md + MD_ATTR, ram ? EFI_ATTR_RAM : EFI_ATTR_WB);
		n++;
	}

	uint64_t systab = area_gpa, memmap = area_gpa + map_off;
	lb_put32(zp + EI_SIGNATURE, EFI64_LOADER_SIG);
	lb_put32(zp + EI_SYSTAB, (uint32_t)systab);
	lb_put32(zp + EI_SYSTAB_HI, (uint32_t)(systab >> 32));
	lb_put32(zp + EI_MEMDESC_SIZE, MD_SIZE);
	lb_put32(zp + EI_MEMDESC_VERSION, MD_VERSION);
	lb_put32(zp + EI_MEMMAP, (uint32_t)memmap);
	lb_put32(zp + EI_MEMMAP_HI, (uint32_t)(memmap >> 32));
	lb_put32(zp + EI_MEMMAP_SIZE, n * MD_SIZE);
	fill_screen_info(zp, fb);
	return 0;
}

/* Is `word` a whole word of the command line? */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; (p = strstr(p, word)) != NULL; p++)
		if ((p == s || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

int linux_efi_cmdline(char *out, size_t outlen, const char *cmdline)
{
	const char *c = cmdline ? cmdline : "";
	bool off = has_word(c, "noefi") || has_word(c, "efi=noruntime");
	int len = snprintf(out, outlen, "%s%s%s", c,
			   off ? "" : (*c ? " " : ""), off ? "" : "noefi");

	return len < 0 || (size_t)len >= outlen ? -1 : 0;
}
