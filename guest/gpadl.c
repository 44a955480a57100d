// SPDX-License-Identifier: MIT
/*
 * GPADL message construction.  The whole buffer is one range starting at
 * byte offset 0 of its first page, as Linux sends it (rangecount 1).
 * range_buflen counts the range descriptor and every PFN, so the host
 * knows when the stream of PFNs is complete no matter how the messages
 * were cut (facts §5.3, "completeness rule").
 */
#include "guest/gpadl.h"

_Static_assert(GPADL_HEADER_PFNS == 26, "26 PFNs in a GPADL_HEADER");
_Static_assert(GPADL_BODY_PFNS == 28, "28 PFNs in a GPADL_BODY");

void gpadl_writer_init(struct gpadl_writer *w, uint32_t relid,
		       uint32_t handle, const uint64_t *pfns, uint32_t count)
{
	w->relid = relid;
	w->handle = handle;
	w->pfns = pfns;
	w->count = count;
	w->next = 0;
	w->messages = 0;
}

uint32_t gpadl_message_count(uint32_t count)
{
	if (count <= GPADL_HEADER_PFNS)
		return 1;
	return 1 + (count - GPADL_HEADER_PFNS + GPADL_BODY_PFNS - 1) /
		       GPADL_BODY_PFNS;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

uint32_t gpadl_writer_next(struct gpadl_writer *w, void *msg)
{
	if (w->messages == 0) {
		struct vmbus_msg_gpadl_header *h = msg;
		struct vmbus_gpa_range *range = (struct vmbus_gpa_range *)(h + 1);
		uint32_t n = min_u32(w->count, GPADL_HEADER_PFNS);

		h->hdr.msgtype = VMBUS_MSG_GPADL_HEADER;
		h->hdr.padding = 0;
		h->child_relid = w->relid;
		h->gpadl = w->handle;
		h->range_buflen = (uint16_t)(sizeof(*range) + 8u * w->count);
		h->rangecount = 1;
		range->byte_count = w->count * VMBUS_PAGE_SIZE;
		range->byte_offset = 0;
		for (uint32_t i = 0; i < n; i++)
			range->pfn_array[i] = w->pfns[i];
		w->next = n;
		w->messages = 1;
		return (uint32_t)(sizeof(*h) + sizeof(*range) + 8u * n);
	}
	if (w->next >= w->count)
		return 0;

	struct vmbus_msg_gpadl_body *b = msg;
	uint32_t n = min_u32(w->count - w->next, GPADL_BODY_PFNS);

	b->hdr.msgtype = VMBUS_MSG_GPADL_BODY;
	b->hdr.padding = 0;
	/* Linux leaves the message number 0; hosts go by range_buflen. */
	b->msgnumber = 0;
	b->gpadl = w->handle;
	for (uint32_t i = 0; i < n; i++)
		b->pfn[i] = w->pfns[w->next + i];
	w->next += n;
	w->messages++;
	return (uint32_t)(sizeof(*b) + 8u * n);
}
