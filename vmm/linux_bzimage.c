// SPDX-License-Identifier: MIT
/*
 * bzImage through the x86 boot protocol's 64-bit entry.  Field names and
 * offsets are those of Linux Documentation/arch/x86/boot.rst ("The Real-
 * Mode Kernel Header") and zero-page.rst; every offset below is into the
 * file, which for 0x1F1.. is also the offset into the zero page.
 *
 * The file is: setup sectors ((setup_sects + 1) * 512 bytes, the first
 * holding the setup header at 0x1F1), then the protected-mode kernel,
 * which is loaded at pref_address and entered at +0x200 in long mode.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/linux_boot_priv.h"
#include "vmm/linux_efi.h"

/* Setup header (boot.rst) -- offsets into the file / zero page. */
#define HDR_START             0x1F1
#define HDR_SETUP_SECTS       0x1F1
#define HDR_SYSSIZE           0x1F4
#define HDR_VID_MODE          0x1FA
#define HDR_BOOT_FLAG         0x1FE   /* 0xAA55 */
#define HDR_JUMP_LEN          0x201   /* header ends at 0x202 + this */
#define HDR_MAGIC             0x202   /* "HdrS" */
#define HDR_VERSION           0x206
#define HDR_TYPE_OF_LOADER    0x210
#define HDR_LOADFLAGS         0x211
#define HDR_CODE32_START      0x214
#define HDR_RAMDISK_IMAGE     0x218
#define HDR_RAMDISK_SIZE      0x21C
#define HDR_HEAP_END_PTR      0x224
#define HDR_CMD_LINE_PTR      0x228
#define HDR_INITRD_ADDR_MAX   0x22C
#define HDR_KERNEL_ALIGNMENT  0x230
#define HDR_RELOCATABLE       0x234
#define HDR_XLOADFLAGS        0x236
#define HDR_CMDLINE_SIZE      0x238
#define HDR_HARDWARE_SUBARCH  0x23C
#define HDR_SETUP_DATA        0x250
#define HDR_PREF_ADDRESS      0x258
#define HDR_INIT_SIZE         0x260
/* Protocol 2.12 has every field up to init_size (0x260..0x263). */
#define HDR_MIN_END           0x264
/* Where boot_params.hdr must end: edd_mbr_sig_buffer starts at 0x290. */
#define HDR_MAX_END           0x290

/* Zero page (zero-page.rst) outside the setup header. */
#define ZP_SIZE               0x1000
#define ZP_ACPI_RSDP_ADDR     0x070
#define ZP_EXT_RAMDISK_IMAGE  0x0C0
#define ZP_EXT_RAMDISK_SIZE   0x0C4
#define ZP_EXT_CMD_LINE_PTR   0x0C8
#define ZP_E820_ENTRIES       0x1E8
#define ZP_E820_TABLE         0x2D0
#define ZP_E820_ENTRY_SIZE    20      /* u64 addr, u64 size, u32 type */

#define BOOT_FLAG             0xAA55
#define HDRS_MAGIC            0x53726448u   /* "HdrS" */
#define MIN_PROTOCOL          0x020C        /* 2.12: xloadflags */
#define LOADED_HIGH           (1u << 0)     /* protected mode at 1 MiB+ */
#define CAN_USE_HEAP          (1u << 7)
#define XLF_KERNEL_64         (1u << 0)     /* 64-bit entry at +0x200 */
#define ENTRY_64_OFFSET       0x200
#define DEFAULT_SETUP_SECTS   4             /* setup_sects 0 means 4 */
#define SECTOR                512
#define VID_MODE_NORMAL       0xFFFF
#define LOADER_UNDEFINED      0xFF          /* type_of_loader: no ID */

bool linux_bzimage_detect(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	return len >= HDR_MAGIC + 4 && lb_le32(p + HDR_MAGIC) == HDRS_MAGIC;
}

/* What the header says, once validated. */
struct bz_plan {
	uint64_t setup_size;       /* bytes of the file before the kernel */
	uint64_t kernel_size;      /* protected-mode bytes copied */
	uint64_t load;             /* pref_address */
	uint64_t init_size;        /* RAM the kernel needs from `load` */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	unsigned hdr_end;          /* zero-page bytes copied from the file */
	uint16_t version;
};

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int check_header(const uint8_t *f, size_t len, struct bz_plan *p,
			char *err, size_t errlen)
{
	if (len < HDR_MIN_END)
		return lb_fail(err, errlen, "bzImage: file of %zu bytes is too "
			       "short for a setup header", len);
	if (lb_le16(f + HDR_BOOT_FLAG) != BOOT_FLAG)
		return lb_fail(err, errlen, "bzImage: boot_flag is 0x%04x, not "
			       "0xAA55", lb_le16(f + HDR_BOOT_FLAG));
	p->version = lb_le16(f + HDR_VERSION);
	if (p->version < MIN_PROTOCOL)
		return lb_fail(err, errlen, "bzImage: boot protocol %u.%02u; the "
			       "64-bit entry needs 2.12 or later",
			       p->version >> 8, p->version & 0xFF);
	p->hdr_end = 0x202u + f[HDR_JUMP_LEN];
	if (p->hdr_end < HDR_MIN_END || p->hdr_end > HDR_MAX_END)
		return lb_fail(err, errlen, "bzImage: setup header ends at 0x%x, "
			       "outside [0x%x, 0x%x]", p->hdr_end, HDR_MIN_END,
			       HDR_MAX_END);
	if (!(lb_le16(f + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return lb_fail(err, errlen, "bzImage: no 64-bit entry point "
			       "(XLF_KERNEL_64 clear in xloadflags)");
	if (!(f[HDR_LOADFLAGS] & LOADED_HIGH))
		return lb_fail(err, errlen, "bzImage: LOADED_HIGH clear -- a "
			       "zImage loaded at 0x10000 is not supported");
	return 0;
}

static int check_layout(const uint8_t *f, size_t len, struct bz_plan *p,
			const struct memmap *map, char *err, size_t errlen)
{
	unsigned sects = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS]
					    : DEFAULT_SETUP_SECTS;

	p->setup_size = (uint64_t)(sects + 1) * SECTOR;
	if (p->setup_size >= len)
		return lb_fail(err, errlen, "bzImage: %u setup sectors leave no "
			       "kernel in a file of %zu bytes", sects, len);
	/* syssize counts 16-byte paragraphs of the protected-mode part; a
	 * header claiming more than the file holds is refused. */
	uint64_t rest = len - p->setup_size;
	uint64_t sys = (uint64_t)lb_le32(f + HDR_SYSSIZE) * 16;
	if (sys == 0 || sys > ((rest + 15) & ~15ull))
		return lb_fail(err, errlen, "bzImage: syssize says %llu bytes but "
			       "the file holds %llu after the setup",
			       (unsigned long long)sys, (unsigned long long)rest);
	p->kernel_size = sys < rest ? sys : rest;
	if (p->kernel_size <= ENTRY_64_OFFSET)
		return lb_fail(err, errlen, "bzImage: protected-mode kernel of "
			       "%llu bytes has no 64-bit entry at +0x200",
			       (unsigned long long)p->kernel_size);

	p->load = lb_le64(f + HDR_PREF_ADDRESS);
	p->init_size = lb_le32(f + HDR_INIT_SIZE);
	if (p->init_size < p->kernel_size)
		return lb_fail(err, errlen, "bzImage: init_size 0x%llx is smaller "
			       "than the kernel (0x%llx bytes)",
			       (unsigned long long)p->init_size,
			       (unsigned long long)p->kernel_size);
	uint32_t align = lb_le32(f + HDR_KERNEL_ALIGNMENT);
	if (f[HDR_RELOCATABLE] && (!power_of_two(align) || p->load % align))
		return lb_fail(err, errlen, "bzImage: pref_address 0x%llx is not "
			       "a multiple of kernel_alignment 0x%x",
			       (unsigned long long)p->load, align);
	if (!lb_in_low_ram(map, p->load, p->init_size))
		return lb_fail(err, errlen, "bzImage: the kernel needs RAM "
			       "[0x%llx, +0x%llx) (pref_address + init_size), "
			       "which is not inside [0x%llx, 0x%llx)",
			       (unsigned long long)p->load,
			       (unsigned long long)p->init_size,
			       (unsigned long long)LINUX_BOOT_LOAD_MIN,
			       (unsigned long long)lb_low_ram_end(map));
	p->initrd_addr_max = lb_le32(f + HDR_INITRD_ADDR_MAX);
	p->cmdline_size = lb_le32(f + HDR_CMDLINE_SIZE);
	return 0;
}

/* The zero page: all zero (so the sentinel at 0x1EF is 0), the setup
 * header copied from the file, then the fields a boot loader must or may
 * set (boot.rst "Details of Header Fields": "write" / "modify"). */
static void build_zero_page(uint8_t *zp, const uint8_t *f,
			    const struct bz_plan *p,
			    const struct linux_boot_args *a,
			    const struct e820_map *e820, uint64_t initrd_base)
{
	memset(zp, 0, ZP_SIZE);
	memcpy(zp + HDR_START, f + HDR_START, p->hdr_end - HDR_START);

	lb_put16(zp + HDR_VID_MODE, VID_MODE_NORMAL);
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	/* No heap_end_ptr is given, so CAN_USE_HEAP stays clear. */
	zp[HDR_LOADFLAGS] = (uint8_t)(f[HDR_LOADFLAGS] & ~CAN_USE_HEAP);
	lb_put16(zp + HDR_HEAP_END_PTR, 0);
	lb_put32(zp + HDR_CODE32_START, (uint32_t)p->load);
	lb_put32(zp + HDR_CMD_LINE_PTR, (uint32_t)LINUX_BOOT_CMDLINE);
	lb_put32(zp + ZP_EXT_CMD_LINE_PTR, (uint32_t)(LINUX_BOOT_CMDLINE >> 32));
	if (a->initrd_len) {
		lb_put32(zp + HDR_RAMDISK_IMAGE, (uint32_t)initrd_base);
		lb_put32(zp + HDR_RAMDISK_SIZE, (uint32_t)a->initrd_len);
		lb_put32(zp + ZP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_base >> 32));
		lb_put32(zp + ZP_EXT_RAMDISK_SIZE,
			 (uint32_t)((uint64_t)a->initrd_len >> 32));
	} else {
		lb_put32(zp + HDR_RAMDISK_IMAGE, 0);
		lb_put32(zp + HDR_RAMDISK_SIZE, 0);
	}
	lb_put32(zp + HDR_HARDWARE_SUBARCH, 0);      /* X86_SUBARCH_PC */
	lb_put64(zp + HDR_SETUP_DATA, 0);            /* no setup_data list */
	lb_put64(zp + ZP_ACPI_RSDP_ADDR, a->rsdp);

	zp[ZP_E820_ENTRIES] = (uint8_t)e820->nr;
	for (unsigned i = 0; i < e820->nr; i++) {
		uint8_t *e = zp + ZP_E820_TABLE + i * ZP_E820_ENTRY_SIZE;
		lb_put64(e, e820->entry[i].addr);
		lb_put64(e + 8, e820->entry[i].size);
		lb_put32(e + 16, e820->entry[i].type);
	}
}

/* Gen2: the framebuffer Hyper-V's UEFI reports (1024x768x32, the
 * synthvid VRAM's 8 MiB) and the EFI tables that make Linux believe it. */
static int add_efi(const struct guest_mem *mem, uint8_t *zp,
		   const struct e820_map *e820, uint64_t fb_base, char *err,
		   size_t errlen)
{
	const struct linux_efi_fb fb = {
		.base = fb_base, .size = 8u << 20,
		.width = 1024, .height = 768, .depth = 32, .stride = 4096,
	};
	uint8_t *area = guest_mem_ptr(mem, LINUX_EFI_AREA, LINUX_EFI_AREA_SIZE);

	if (!area)
		return lb_fail(err, errlen, "guest RAM does not cover the EFI "
			       "tables at 0x%llx", (unsigned long long)LINUX_EFI_AREA);
	return linux_efi_build(zp, area, LINUX_EFI_AREA, LINUX_EFI_AREA_SIZE,
			       e820, &fb, err, errlen);
}

int linux_bzimage_load(const struct guest_mem *mem, const struct memmap *map,
		       const struct e820_map *e820,
		       const struct linux_boot_args *a, struct linux_image *out,
		       char *err, size_t errlen)
{
	const uint8_t *f = a->kernel;
	struct bz_plan p = { 0 };
	uint64_t initrd_base = 0;
	/* A UEFI-style hand-off needs "noefi" on the command line: there
	 * are no runtime services behind the system table. */
	char efi_cmdline[LINUX_BOOT_CMDLINE_MAX];
	struct linux_boot_args efi_args;

	if (a->fb_base) {
		if (linux_efi_cmdline(efi_cmdline, sizeof(efi_cmdline),
				      a->cmdline) < 0)
			return lb_fail(err, errlen, "command line too long to "
				       "add \"noefi\" for the EFI hand-off");
		efi_args = *a;
		efi_args.cmdline = efi_cmdline;
		a = &efi_args;
	}

	if (check_header(f, a->kernel_len, &p, err, errlen) < 0 ||
	    check_layout(f, a->kernel_len, &p, map, err, errlen) < 0)
		return -1;
	/* cmdline_size is the longest command line, NUL not counted. */
	size_t limit = (size_t)p.cmdline_size + 1;
	if (limit > LINUX_BOOT_CMDLINE_MAX)
		limit = LINUX_BOOT_CMDLINE_MAX;
	if (lb_cmdline_len(a->cmdline, limit, err, errlen) < 0)
		return -1;
	/* The initrd goes above the kernel's whole init_size, and ends at
	 * or below initrd_addr_max (its highest allowed byte). */
	if (a->initrd_len &&
	    lb_place_initrd(map, a->initrd_len,
			    (p.load + p.init_size + LB_PAGE - 1) & ~(LB_PAGE - 1),
			    (uint64_t)p.initrd_addr_max + 1, &initrd_base, err,
			    errlen) < 0)
		return -1;
	if (e820->nr > E820_MAX_ENTRIES)
		return lb_fail(err, errlen, "too many E820 entries");

	/* Everything checked: write. */
	uint8_t *kernel = guest_mem_ptr(mem, p.load, p.init_size);
	uint8_t *zp = guest_mem_ptr(mem, LINUX_BOOT_ZERO_PAGE, ZP_SIZE);
	if (!kernel || !zp)
		return lb_fail(err, errlen, "guest RAM does not cover the kernel "
			       "or the zero page");
	memcpy(kernel, f + p.setup_size, p.kernel_size);
	/* The rest of init_size is the decompressor's to use; clear it so
	 * nothing depends on what an earlier run left. */
	memset(kernel + p.kernel_size, 0, p.init_size - p.kernel_size);
	build_zero_page(zp, f, &p, a, e820, initrd_base);
	if (a->fb_base && add_efi(mem, zp, e820, a->fb_base, err, errlen) < 0)
		return -1;
	if (lb_write_cmdline_initrd(mem, a, initrd_base, err, errlen) < 0)
		return -1;

	*out = (struct linux_image){
		.kind = LINUX_ENTRY_64,
		.entry = p.load + ENTRY_64_OFFSET,
		.boot_info = LINUX_BOOT_ZERO_PAGE,
		.kernel_base = p.load,
		.kernel_end = p.load + p.init_size,
		.initrd_base = initrd_base,
		.initrd_size = a->initrd_len,
		.protocol = p.version,
	};
	return 0;
}
