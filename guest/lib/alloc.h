/* SPDX-License-Identifier: MIT */
/*
 * Page bump allocator over the RAM after the guest image.  Pages are
 * never freed.  They come back zero without being cleared: the VMM hands
 * the guest fresh (zero) memory and nothing has written there yet --
 * clearing would cost ~0.35 ms per page under the emulator (KVM facts).
 * Safe to call from several vCPUs at once.
 */
#ifndef GUEST_LIB_ALLOC_H
#define GUEST_LIB_ALLOC_H

#include <stdint.h>

#define PAGE_SIZE 4096u

/* Serve pages from [start, end) (start is rounded up to a page). */
void page_alloc_init(uint64_t start, uint64_t end);
/* `count` contiguous zero pages, or NULL when RAM is exhausted. */
void *page_alloc(unsigned count);
uint64_t page_alloc_free_bytes(void);

/* Guest-physical address of a guest pointer (the map is the identity). */
static inline uint64_t virt_to_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static inline uint64_t virt_to_pfn(const void *p)
{
	return virt_to_phys(p) / PAGE_SIZE;
}

#endif
