// SPDX-License-Identifier: MIT
/*
 * The single GPA -> host pointer translation (see vmm/guest_mem.h).
 *
 * Every GPA and length handed in may come straight from a hostile guest,
 * so the range check is written to be immune to unsigned wrap-around:
 * it never computes gpa + len, only differences that are known not to
 * underflow.
 */
#include "vmm/guest_mem.h"

#include <string.h>

/* True if [gpa, gpa + len) lies wholly inside bank b (len > 0). */
static bool bank_holds(const struct guest_mem_bank *b, uint64_t gpa,
		       uint64_t len)
{
	if (!b->host || b->size == 0)
		return false;
	if (gpa < b->gpa)
		return false;
	uint64_t off = gpa - b->gpa;
	if (off >= b->size)
		return false;
	/* off < size, so size - off cannot underflow. */
	return len <= b->size - off;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	if (!gm || len == 0)
		return NULL;

	unsigned n = gm->nr_banks;
	if (n > GUEST_MEM_MAX_BANKS)
		n = GUEST_MEM_MAX_BANKS;

	/* A range must lie in one bank: banks are separate host mappings, so
	 * one spanning two (even if adjacent in GPA) is not contiguous in
	 * host memory. */
	for (unsigned i = 0; i < n; i++) {
		const struct guest_mem_bank *b = &gm->bank[i];

		if (bank_holds(b, gpa, len))
			return b->host + (gpa - b->gpa);
	}
	return NULL;
}

bool guest_mem_is_ram(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	return guest_mem_ptr(gm, gpa, len) != NULL;
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst,
		   uint64_t len)
{
	const void *src = guest_mem_ptr(gm, gpa, len);

	if (!src || !dst)
		return -1;
	memcpy(dst, src, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa,
		    const void *src, uint64_t len)
{
	void *dst = guest_mem_ptr(gm, gpa, len);

	if (!dst || !src)
		return -1;
	memcpy(dst, src, len);
	return 0;
}
