/* SPDX-License-Identifier: MIT */
/*
 * Shared by the Linux boot files (vmm/linux_boot.c, linux_bzimage.c,
 * linux_pvh.c); not an interface for the rest of kvmbus.
 *
 * Each format loader validates the whole file and plans every address
 * before it writes a byte to guest RAM.
 */
#ifndef KVMBUS_LINUX_BOOT_PRIV_H
#define KVMBUS_LINUX_BOOT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/e820.h"
#include "vmm/linux_boot.h"

#define LB_PAGE 0x1000ull

int lb_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Little-endian reads from a byte buffer (the caller checks bounds). */
uint16_t lb_le16(const uint8_t *p);
uint32_t lb_le32(const uint8_t *p);
uint64_t lb_le64(const uint8_t *p);
void lb_put16(uint8_t *p, uint16_t v);
void lb_put32(uint8_t *p, uint32_t v);
void lb_put64(uint8_t *p, uint64_t v);

/* End (exclusive) of RAM bank 0, the RAM below the low MMIO gap. */
uint64_t lb_low_ram_end(const struct memmap *map);
/* [base, base + size) lies in RAM bank 0, at or above LINUX_BOOT_LOAD_MIN,
 * without wrapping; size 0 is refused. */
bool lb_in_low_ram(const struct memmap *map, uint64_t base, uint64_t size);

/* Where the initrd goes: the highest page-aligned base in RAM bank 0
 * with base >= floor and base + len <= limit (limit 0 = no limit beyond
 * bank 0).  0, or -1 with a reason. */
int lb_place_initrd(const struct memmap *map, uint64_t len, uint64_t floor,
		    uint64_t limit, uint64_t *base, char *err, size_t errlen);

/* Length of the command line (without its NUL), or -1 with a reason if
 * it needs more than max_with_nul bytes. */
long lb_cmdline_len(const char *cmdline, size_t max_with_nul, char *err,
		    size_t errlen);

/* Copy the command line (NUL-terminated) to LINUX_BOOT_CMDLINE and the
 * initrd to `initrd_base` (when a->initrd_len != 0).  The caller has
 * checked both fit. */
int lb_write_cmdline_initrd(const struct guest_mem *mem,
			    const struct linux_boot_args *a,
			    uint64_t initrd_base, char *err, size_t errlen);

/* The format loaders. */
bool linux_bzimage_detect(const void *buf, size_t len);
int linux_bzimage_load(const struct guest_mem *mem, const struct memmap *map,
		       const struct e820_map *e820,
		       const struct linux_boot_args *a, struct linux_image *out,
		       char *err, size_t errlen);
bool linux_pvh_detect(const void *buf, size_t len);
int linux_pvh_load(const struct guest_mem *mem, const struct memmap *map,
		   const struct e820_map *e820, const struct linux_boot_args *a,
		   struct linux_image *out, char *err, size_t errlen);

#endif
