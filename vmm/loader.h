/* SPDX-License-Identifier: MIT */
/*
 * Loading the guest kernel: a static ELF64 x86-64 executable whose
 * PT_LOAD segments are copied to their physical addresses in guest RAM.
 *
 * The image is untrusted input (a user may point --kernel at anything),
 * so every field is checked before a single byte is copied: file bounds,
 * sizes, overflow, that each segment lies in one RAM bank at or above
 * KVMBUS_GUEST_LOAD_MIN (the boot area below it belongs to the VMM), and
 * that the entry point is inside an executable segment.
 */
#ifndef KVMBUS_LOADER_H
#define KVMBUS_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

/* Most program headers an image may have; real kernels have a handful. */
#define LOADER_MAX_PHDRS   64
/* Largest kernel file loader_load_file() reads. */
#define LOADER_MAX_FILE    (512u << 20)

struct loaded_image {
	uint64_t entry;               /* guest-physical = virtual (identity) */
	uint64_t lowest;              /* first byte loaded */
	uint64_t highest;             /* one past the last byte (incl. bss) */
	unsigned nr_segments;
};

/* Load an ELF image held in buf[0, len) into guest RAM.  Returns 0, or -1
 * with one line in err; on failure guest RAM is untouched. */
int loader_load_elf(const struct guest_mem *mem, const void *buf, size_t len,
		    struct loaded_image *out, char *err, size_t errlen);

/* Read `path` and load it as above. */
int loader_load_file(const struct guest_mem *mem, const char *path,
		     struct loaded_image *out, char *err, size_t errlen);

#endif
