/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM, and the one place a guest-physical address becomes a host
 * pointer.  guest_mem_ptr() refuses any range that is not wholly inside
 * one RAM bank: MMIO gaps, holes, wrap-around and overflow included.
 * Nothing else in kvmbus turns a GPA into a pointer.
 */
#ifndef KVMBUS_GUEST_MEM_H
#define KVMBUS_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_BANKS 2

struct guest_mem_bank {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

struct guest_mem {
	struct guest_mem_bank bank[GUEST_MEM_MAX_BANKS];
	unsigned nr_banks;
};

/* Host pointer for [gpa, gpa + len), or NULL if any byte lies outside RAM.
 * len 0 is refused too. */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
bool guest_mem_is_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len);
/* Copy helpers built on guest_mem_ptr: 0 on success, -1 if refused. */
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst,
		   uint64_t len);
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa,
		    const void *src, uint64_t len);

#endif
