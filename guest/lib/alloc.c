// SPDX-License-Identifier: MIT
#include "guest/lib/alloc.h"

#include <stddef.h>

#include "guest/lib/atomic.h"

static volatile uint64_t next_free;
static uint64_t limit;

void page_alloc_init(uint64_t start, uint64_t end)
{
	limit = end & ~(uint64_t)(PAGE_SIZE - 1);
	store_release64(&next_free, (start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1));
}

void *page_alloc(unsigned count)
{
	uint64_t bytes = (uint64_t)count * PAGE_SIZE;
	uint64_t cur = load_acquire64(&next_free);

	/* Compare-and-swap so APs can allocate their SynIC pages while the
	 * BSP allocates too. */
	do {
		if (cur == 0 || count == 0 || cur + bytes > limit)
			return NULL;
	} while (!atomic_cas64(&next_free, &cur, cur + bytes));
	return (void *)(uintptr_t)cur;
}

uint64_t page_alloc_free_bytes(void)
{
	uint64_t cur = load_acquire64(&next_free);

	return cur && cur < limit ? limit - cur : 0;
}
