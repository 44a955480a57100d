/* SPDX-License-Identifier: MIT */
/*
 * The "Gen2" hand-off to a bzImage: what a UEFI boot loader leaves in the
 * zero page, reduced to what Linux 6.1 checks, so that the kernel takes
 * its EFI paths without any firmware behind them.
 *
 * Why: 6.1's vmbus_reserve_fb() reserves the framebuffer at
 * screen_info.lfb_base only when efi_enabled(EFI_BOOT).  setup_arch()
 * sets EFI_BOOT from boot_params.efi_info.efi_loader_signature alone
 * ("EL64": EFI_BOOT and EFI_64BIT) and nothing clears it again.  With it
 * set, setup_arch() also maps the EFI memory map (efi_memblock_x86_
 * reserve_range) and reads the system table (efi_init: only its
 * signature is checked, not its CRC), so both must exist.  Runtime
 * services must stay off -- there are none -- so the command line gets
 * "noefi" (efi_init() then drops the memory map again, as on any EFI
 * machine booted with noefi).
 *
 * Layout, all in the low RAM Linux keeps reserved (it never allocates
 * below 1 MiB): at LINUX_EFI_AREA the 64-bit system table, then the
 * firmware vendor string, then the memory map, one descriptor per E820
 * entry.  No configuration tables: nr_tables = 0, so efi_config_init()
 * returns before it looks for any, and the RSDP still comes from
 * boot_params.acpi_rsdp_addr.
 */
#ifndef KVMBUS_LINUX_EFI_H
#define KVMBUS_LINUX_EFI_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/e820.h"

/* Between the command line (0x5000, 2 KiB) and the boot stack page. */
#define LINUX_EFI_AREA          0x6000ull
#define LINUX_EFI_AREA_SIZE     0x1000u

/* The framebuffer the "firmware" reports (EFI GOP -> screen_info). */
struct linux_efi_fb {
	uint64_t base;                /* != 0 */
	uint32_t size;                /* bytes */
	uint16_t width, height, depth;
	uint16_t stride;              /* bytes per line */
};

/* Fill the zero page's screen_info and efi_info (zp: 4 KiB) and the EFI
 * area (area: area_len bytes that the guest sees at area_gpa) from the
 * E820 map and the framebuffer.  0, or -1 with a reason. */
int linux_efi_build(uint8_t *zp, uint8_t *area, uint64_t area_gpa,
		    size_t area_len, const struct e820_map *e820,
		    const struct linux_efi_fb *fb, char *err, size_t errlen);

/* The command line with runtime services turned off: `cmdline` plus
 * " noefi", unless it already says noefi or efi=noruntime.  0, or -1
 * if the result needs more than outlen bytes (NUL included). */
int linux_efi_cmdline(char *out, size_t outlen, const char *cmdline);

#endif
