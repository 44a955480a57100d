// SPDX-License-Identifier: MIT
/*
 * GPADL assembly and validation (see vmbus/gpadl.h, facts §5.3).
 *
 * The stream is kept as raw bytes until it is complete: the header may end
 * in the middle of a range and bodies simply continue it, so nothing can
 * be parsed reliably before the announced length has arrived.
 */
#include "vmbus/gpadl.h"

#include <stdlib.h>
#include <string.h>

#include "vmbus/abi/vmbus_abi.h"
#include "vmm/log.h"

#define PAGE_SHIFT 12
#define MAX_PFN    (UINT64_MAX >> PAGE_SHIFT)
/* A range descriptor without its PFNs: u32 byte_count, u32 byte_offset. */
#define RANGE_DESC_BYTES 8u

struct vmbus_gpadl *vmbus_gpadl_find(const struct vmbus_gpadl_table *t,
				     uint32_t handle)
{
	for (struct vmbus_gpadl *g = t->head; g; g = g->next)
		if (g->handle == handle)
			return g;
	return NULL;
}

static void gpadl_free(struct vmbus_gpadl *g)
{
	free(g->stream);
	free(g->pfns);
	free(g->ranges);
	free(g);
}

void vmbus_gpadl_remove(struct vmbus_gpadl_table *t, struct vmbus_gpadl *g)
{
	for (struct vmbus_gpadl **pp = &t->head; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			t->count--;
			gpadl_free(g);
			return;
		}
	}
}

void vmbus_gpadl_clear(struct vmbus_gpadl_table *t)
{
	while (t->head)
		vmbus_gpadl_remove(t, t->head);
}

static uint64_t stream_qword(const struct vmbus_gpadl *g, uint32_t qword)
{
	uint64_t v;

	memcpy(&v, g->stream + (size_t)qword * 8, sizeof(v));
	return v;
}

/* Walk the complete stream: range descriptors and their PFN counts must
 * account for exactly range_buflen bytes (facts §5.3). */
static int parse_ranges(struct vmbus_gpadl *g)
{
	uint32_t nq = g->stream_len / 8, pos = 0, pfns = 0;

	g->ranges = calloc(g->rangecount, sizeof(*g->ranges));
	if (!g->ranges) {
		log_err("vmbus: out of memory for GPADL %#x", g->handle);
		return -1;
	}
	for (uint32_t i = 0; i < g->rangecount; i++) {
		struct vmbus_gpadl_range *rg = &g->ranges[i];
		uint64_t desc, span;

		if (pos >= nq) {
			guest_refuse("vmbus.gpadl-range-truncated",
				     "GPADL %#x: range %u of %u starts past "
				     "range_buflen %u", g->handle, i,
				     g->rangecount, g->stream_len);
			return -1;
		}
		desc = stream_qword(g, pos++);
		rg->byte_count = (uint32_t)desc;
		rg->byte_offset = (uint32_t)(desc >> 32);
		if (rg->byte_offset >= VMBUS_PAGE_SIZE) {
			guest_refuse("vmbus.gpadl-range-offset-invalid",
				     "GPADL %#x range %u: byte_offset %u",
				     g->handle, i, rg->byte_offset);
			return -1;
		}
		if (rg->byte_count == 0) {
			guest_refuse("vmbus.gpadl-range-empty",
				     "GPADL %#x range %u: byte_count 0",
				     g->handle, i);
			return -1;
		}
		span = ((uint64_t)rg->byte_offset + rg->byte_count +
			VMBUS_PAGE_SIZE - 1) / VMBUS_PAGE_SIZE;
		if (span > nq - pos) {
			guest_refuse("vmbus.gpadl-range-truncated",
				     "GPADL %#x range %u: needs %llu PFNs, %u "
				     "left in range_buflen", g->handle, i,
				     (unsigned long long)span, nq - pos);
			return -1;
		}
		rg->first_pfn = pfns;
		rg->pfn_count = (uint32_t)span;
		pos += (uint32_t)span;
		pfns += (uint32_t)span;
	}
	if (pos != nq) {
		guest_refuse("vmbus.gpadl-range-trailing-data",
			     "GPADL %#x: %u of %u qwords used by %u ranges",
			     g->handle, pos, nq, g->rangecount);
		return -1;
	}
	g->pfn_count = pfns;
	return 0;
}

/* Gather the PFNs of all ranges and check each 4 KiB page is guest RAM. */
static int collect_pfns(struct vmbus_gpadl *g, const struct guest_mem *mem)
{
	uint32_t pos = 0, n = 0;

	g->pfns = calloc(g->pfn_count, sizeof(*g->pfns));
	if (!g->pfns) {
		log_err("vmbus: out of memory for GPADL %#x", g->handle);
		return -1;
	}
	for (uint32_t i = 0; i < g->rangecount; i++) {
		pos++;                         /* the range descriptor */
		for (uint32_t k = 0; k < g->ranges[i].pfn_count; k++) {
			uint64_t pfn = stream_qword(g, pos++);

			if (pfn > MAX_PFN ||
			    !guest_mem_is_ram(mem, pfn << PAGE_SHIFT,
					      VMBUS_PAGE_SIZE)) {
				guest_refuse("vmbus.gpadl-pfn-not-ram",
					     "GPADL %#x range %u: pfn %#llx is "
					     "not guest RAM", g->handle, i,
					     (unsigned long long)pfn);
				return -1;
			}
			g->pfns[n++] = pfn;
		}
	}
	return 0;
}

/* Append message data to the stream; on completion validate.  A step. */
static enum vmbus_gpadl_step gpadl_feed(struct vmbus_gpadl_table *t,
					const struct guest_mem *mem,
					struct vmbus_gpadl *g,
					const uint8_t *data, uint32_t data_len,
					bool full_size_msg)
{
	uint32_t want = g->stream_len - g->stream_got;
	uint32_t take = data_len < want ? data_len : want;

	if (data_len > want && !full_size_msg) {
		guest_refuse("vmbus.gpadl-data-beyond-announced",
			     "GPADL %#x: %u more bytes than range_buflen %u",
			     g->handle, data_len - want, g->stream_len);
		goto failed;
	}
	if (take)
		memcpy(g->stream + g->stream_got, data, take);
	g->stream_got += take;
	if (g->stream_got < g->stream_len)
		return GPADL_STEP_MORE;

	if (parse_ranges(g) || collect_pfns(g, mem))
		goto failed;
	free(g->stream);
	g->stream = NULL;
	g->complete = true;
	return GPADL_STEP_DONE;

failed:
	vmbus_gpadl_remove(t, g);
	return GPADL_STEP_FAILED;
}

enum vmbus_gpadl_step vmbus_gpadl_begin(struct vmbus_gpadl_table *t,
					const struct guest_mem *mem,
					uint32_t relid, uint32_t handle,
					uint16_t range_buflen,
					uint16_t rangecount,
					const uint8_t *data, uint32_t data_len,
					bool full_size_msg)
{
	struct vmbus_gpadl *g;
	uint32_t max_pages;

	if (vmbus_gpadl_find(t, handle)) {
		guest_refuse("vmbus.gpadl-handle-reused",
			     "GPADL handle %#x is already in use", handle);
		return GPADL_STEP_FAILED;
	}
	if (t->count >= VMBUS_GPADL_MAX_PER_CONN) {
		guest_refuse("vmbus.gpadl-limit",
			     "GPADL %#x: already %u GPADLs on this connection",
			     handle, t->count);
		return GPADL_STEP_FAILED;
	}
	/* Whole qwords, room for at least one descriptor and one PFN. */
	if (range_buflen % 8 || range_buflen < RANGE_DESC_BYTES + 8) {
		guest_refuse("vmbus.gpadl-buflen-invalid",
			     "GPADL %#x: range_buflen %u", handle, range_buflen);
		return GPADL_STEP_FAILED;
	}
	if (rangecount == 0 ||
	    (uint32_t)rangecount * (RANGE_DESC_BYTES + 8) > range_buflen) {
		guest_refuse("vmbus.gpadl-rangecount-invalid",
			     "GPADL %#x: %u ranges in %u bytes", handle,
			     rangecount, range_buflen);
		return GPADL_STEP_FAILED;
	}
	/* Every qword that is not a range descriptor is a PFN. */
	max_pages = range_buflen / 8u - rangecount;
	if (max_pages > VMBUS_GPADL_MAX_PAGES) {
		guest_refuse("vmbus.gpadl-too-large",
			     "GPADL %#x: %u pages, limit %u", handle, max_pages,
			     VMBUS_GPADL_MAX_PAGES);
		return GPADL_STEP_FAILED;
	}

	g = calloc(1, sizeof(*g));
	if (g)
		g->stream = malloc(range_buflen);
	if (!g || !g->stream) {
		free(g);
		log_err("vmbus: out of memory for GPADL %#x", handle);
		return GPADL_STEP_FAILED;
	}
	g->handle = handle;
	g->relid = relid;
	g->rangecount = rangecount;
	g->stream_len = range_buflen;
	g->next = t->head;
	t->head = g;
	t->count++;
	return gpadl_feed(t, mem, g, data, data_len, full_size_msg);
}

enum vmbus_gpadl_step vmbus_gpadl_continue(struct vmbus_gpadl_table *t,
					   const struct guest_mem *mem,
					   uint32_t handle, const uint8_t *data,
					   uint32_t data_len, bool full_size_msg,
					   uint32_t *relid)
{
	struct vmbus_gpadl *g = vmbus_gpadl_find(t, handle);

	if (!g) {
		guest_refuse("vmbus.gpadl-body-unknown-handle",
			     "GPADL_BODY for handle %#x, which no GPADL_HEADER "
			     "announced", handle);
		return GPADL_STEP_IGNORED;
	}
	if (g->complete) {
		/* Everything announced already arrived: more data is too
		 * much, but the GPADL itself is fine and stays. */
		guest_refuse("vmbus.gpadl-data-beyond-announced",
			     "GPADL_BODY for GPADL %#x, which is complete",
			     handle);
		return GPADL_STEP_IGNORED;
	}
	*relid = g->relid;
	return gpadl_feed(t, mem, g, data, data_len, full_size_msg);
}
