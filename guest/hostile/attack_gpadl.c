// SPDX-License-Identifier: MIT
/*
 * Malformed GPADLs (facts §5.3) and OPENCHANNEL on GPADLs that cannot be
 * a ring (facts §6.1).  A GPADL_HEADER carries range_buflen bytes of
 * { u32 byte_count, u32 byte_offset, u64 pfn[] } ranges, continued by
 * GPADL_BODY messages; GPADL_CREATED answers it once complete.
 */
#include "guest/hostile/cases.h"

#include <stddef.h>

#include "guest/hostile/env.h"
#include "guest/hostile/expect.h"
#include "guest/hostile/hmsg.h"
#include "guest/hostile/session.h"
#include "guest/lib/alloc.h"
#include "guest/lib/report.h"
#include "guest/lib/string.h"

#define NO_SUCH_RELID 99u
#define NO_SUCH_VP    9u
#define SPARE_PAGES   4u
/* Handles of our own making, far from the client's 0xE1E10.. */
#define HANDLE(n)     (0x7E570100u + (n))
/* Beyond any physical address (facts §5.3: PFNs are 4 KiB frames). */
#define PFN_BEYOND_ADDRESS_SPACE (1ull << 52)

static uint64_t buf[HV_MESSAGE_PAYLOAD_MAX / 8];
/* A complete, valid, ring-shaped GPADL of the echo channel. */
static uint64_t spare_pfns[SPARE_PAGES];
static uint32_t spare_handle;

static uint64_t range(uint32_t byte_count, uint32_t byte_offset)
{
	return byte_count | ((uint64_t)byte_offset << 32);
}

/* GPADL_HEADER with `nq` stream qwords after the fixed 20 bytes. */
static uint32_t header(uint32_t relid, uint32_t handle, uint16_t buflen,
		       uint16_t rangecount, const uint64_t *stream, unsigned nq)
{
	struct vmbus_msg_gpadl_header h = {
		.hdr.msgtype = VMBUS_MSG_GPADL_HEADER,
		.child_relid = relid,
		.gpadl = handle,
		.range_buflen = buflen,
		.rangecount = rangecount,
	};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), stream, nq * 8u);
	return (uint32_t)sizeof(h) + nq * 8u;
}

/* Wait for the GPADL_CREATED of `handle`; its status, or ~0u. */
static uint32_t created_status(uint32_t handle)
{
	struct vmbus_msg_gpadl_created r;

	while (hm_wait(VMBUS_MSG_GPADL_CREATED, &r, sizeof(r)))
		if (r.gpadl == handle)
			return r.creation_status;
	return ~0u;
}

static bool create_fails(struct hsaw *s, uint32_t handle, uint32_t size)
{
	uint16_t st = hm_post_ctl(buf, size);
	uint32_t status = st == HV_STATUS_SUCCESS ? created_status(handle) : ~0u;

	if (status == ~0u)
		saw(s, "post status 0x%x, no GPADL_CREATED", st);
	else
		saw(s, "GPADL_CREATED status 0x%x", status);
	return status != 0 && status != ~0u;
}

/* One page of echo relid, valid but for the stream given. */
static bool bad_stream(struct hsaw *s, uint32_t handle, uint16_t buflen,
		       uint16_t rangecount, const uint64_t *stream, unsigned nq)
{
	return create_fails(s, handle, header(hs.echo.relid, handle, buflen,
					      rangecount, stream, nq));
}

static bool setup(void)
{
	void *pages = page_alloc(SPARE_PAGES);
	uint32_t status = ~0u;
	unsigned messages;
	bool ok;

	if (!pages)
		return false;
	for (unsigned i = 0; i < SPARE_PAGES; i++)
		spare_pfns[i] = virt_to_pfn((uint8_t *)pages + i * PAGE_SIZE);
	hm_drain();
	ok = vmbus_gpadl_create(&hs.client, hs.echo.relid, spare_pfns,
				SPARE_PAGES, &spare_handle, &messages, &status);
	return report(ok, "setup: a valid 4-page GPADL 0x%x for the echo relid (status 0x%x)",
		      spare_handle, status);
}

/* ---- the stream ------------------------------------------------------- */

/* facts §5.3: a GPADL belongs to an offered channel. */
static bool unknown_relid(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0] };

	return create_fails(s, HANDLE(1), header(NO_SUCH_RELID, HANDLE(1), 16, 1,
						 st, 2));
}

/* Every page of a GPADL is guest memory the host will map. */
static bool pfn_outside_ram(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), henv.hole / PAGE_SIZE };

	return bad_stream(s, HANDLE(2), 16, 1, st, 2);
}

static bool pfn_in_gap(struct hsaw *s)
{
	uint64_t st[] = { range(2 * PAGE_SIZE, 0), spare_pfns[0],
			  henv.low_base / PAGE_SIZE };

	return bad_stream(s, HANDLE(3), 24, 1, st, 3);
}

static bool pfn_beyond(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), PFN_BEYOND_ADDRESS_SPACE };

	return bad_stream(s, HANDLE(4), 16, 1, st, 2);
}

/* 8190 pages announced, the host's limit is 4096 (vmbus/gpadl.h). */
static bool huge(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0) };

	return bad_stream(s, HANDLE(5), 65528, 1, st, 1);
}

/* facts §5.3: range_buflen counts u32 pairs and u64 PFNs: whole qwords,
 * at least one range descriptor and one PFN per range. */
static bool buflen_not_qwords(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0] };

	return bad_stream(s, HANDLE(6), 20, 1, st, 2);
}

static bool no_ranges(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0] };

	return bad_stream(s, HANDLE(7), 16, 0, st, 2);
}

static bool too_many_ranges(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0], spare_pfns[1] };

	return bad_stream(s, HANDLE(8), 24, 2, st, 3);
}

/* facts §5.3: byte_offset is into the first page. */
static bool offset_past_page(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, PAGE_SIZE), spare_pfns[0] };

	return bad_stream(s, HANDLE(9), 16, 1, st, 2);
}

static bool empty_range(struct hsaw *s)
{
	uint64_t st[] = { range(0, 0), spare_pfns[0] };

	return bad_stream(s, HANDLE(10), 16, 1, st, 2);
}

/* facts §5.3: a range has ceil((byte_offset + byte_count) / 4096) PFNs;
 * the ranges must use exactly range_buflen bytes. */
static bool range_short_of_pfns(struct hsaw *s)
{
	uint64_t st[] = { range(2 * PAGE_SIZE, 0), spare_pfns[0] };

	return bad_stream(s, HANDLE(11), 16, 1, st, 2);
}

/* 64-bit arithmetic or it wraps: offset 4095 + 4 GiB - 1 bytes. */
static bool range_of_4g(struct hsaw *s)
{
	uint64_t st[] = { range(0xFFFFFFFFu, PAGE_SIZE - 1), spare_pfns[0] };

	return bad_stream(s, HANDLE(15), 16, 1, st, 2);
}

static bool trailing_pfn(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0], spare_pfns[1] };

	return bad_stream(s, HANDLE(12), 24, 1, st, 3);
}

/* A short message may not carry more than range_buflen (only a full
 * 240-byte one may be padded, facts §5.3). */
static bool beyond_announced(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0], spare_pfns[1] };

	return bad_stream(s, HANDLE(13), 16, 1, st, 3);
}

/* ---- bodies, handles, teardown (facts §5.3, §5.4 "close") --------------- */

static uint32_t body(uint32_t handle, const uint64_t *pfns, unsigned n)
{
	struct vmbus_msg_gpadl_body b = {
		.hdr.msgtype = VMBUS_MSG_GPADL_BODY,
		.gpadl = handle,
	};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &b, sizeof(b));
	memcpy((uint8_t *)buf + sizeof(b), pfns, n * 8u);
	return (uint32_t)sizeof(b) + n * 8u;
}

static bool body_without_header(struct hsaw *s)
{
	return expect_unanswered_ctl(s, buf, body(HANDLE(14), spare_pfns, 2));
}

static bool handle_reused(struct hsaw *s)
{
	uint64_t st[] = { range(PAGE_SIZE, 0), spare_pfns[0] };

	return bad_stream(s, spare_handle, 16, 1, st, 2);
}

static bool body_after_complete(struct hsaw *s)
{
	return expect_unanswered_ctl(s, buf, body(spare_handle, spare_pfns, 1));
}

static uint32_t teardown(uint32_t relid, uint32_t handle)
{
	struct vmbus_msg_gpadl_teardown t = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
		.child_relid = relid,
		.gpadl = handle,
	};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &t, sizeof(t));
	return sizeof(t);
}

static bool teardown_unknown(struct hsaw *s)
{
	return expect_unanswered_ctl(s, buf, teardown(hs.echo.relid, HANDLE(17)));
}

static bool teardown_wrong_relid(struct hsaw *s)
{
	return expect_unanswered_ctl(s, buf, teardown(hs.video.relid, spare_handle));
}

/* ---- OPENCHANNEL on GPADLs that cannot hold two rings (facts §6.1) ---- */

/* One page-aligned GPADL of this channel holds both rings, the inbound
 * one `downstream_ring_pageoffset` pages in, each ring a header page and
 * at least one data page; interrupts go to a VP that exists (§5.3). */
static bool open_foreign_gpadl(struct hsaw *s)
{
	return expect_open_refused(s, hs.video.relid, spare_handle, 0, 2);
}

/* A valid GPADL whose one range is not whole pages. */
static bool open_not_ring_shaped(struct hsaw *s)
{
	uint64_t st[] = { range(SPARE_PAGES * PAGE_SIZE - 8, 0), spare_pfns[0],
			  spare_pfns[1], spare_pfns[2], spare_pfns[3] };
	uint32_t status;

	hm_post_ctl(buf, header(hs.echo.relid, HANDLE(20), 40, 1, st, 5));
	status = created_status(HANDLE(20));
	if (status != 0) {
		saw(s, "the odd GPADL itself was not created (0x%x)", status);
		return false;
	}
	return expect_open_refused(s, hs.echo.relid, HANDLE(20), 0, 2);
}

static bool open_two_ranges(struct hsaw *s)
{
	uint64_t st[] = { range(2 * PAGE_SIZE, 0), spare_pfns[0], spare_pfns[1],
			  range(2 * PAGE_SIZE, 0), spare_pfns[2], spare_pfns[3] };
	uint32_t status;

	hm_post_ctl(buf, header(hs.echo.relid, HANDLE(21), 48, 2, st, 6));
	status = created_status(HANDLE(21));
	if (status != 0) {
		saw(s, "the two-range GPADL itself was not created (0x%x)", status);
		return false;
	}
	return expect_open_refused(s, hs.echo.relid, HANDLE(21), 0, 2);
}

/* A GPADL_HEADER announcing more than it carries stays half-sent
 * (facts §5.3): not usable, not removable. */
static bool half_sent(uint32_t handle)
{
	uint64_t st[] = { range(2 * PAGE_SIZE, 0), spare_pfns[0] };

	return hm_post_ctl(buf, header(hs.echo.relid, handle, 24, 1, st, 2)) ==
	       HV_STATUS_SUCCESS && hm_quiet(NULL);
}

static bool open_half_sent(struct hsaw *s)
{
	if (!half_sent(HANDLE(22))) {
		saw(s, "the half-sent GPADL was answered");
		return false;
	}
	return expect_open_refused(s, hs.echo.relid, HANDLE(22), 0, 2);
}

static bool teardown_half_sent(struct hsaw *s)
{
	if (!half_sent(HANDLE(23))) {
		saw(s, "the half-sent GPADL was answered");
		return false;
	}
	return expect_unanswered_ctl(s, buf, teardown(hs.echo.relid, HANDLE(23)));
}

static bool open_offset_zero(struct hsaw *s)
{
	return expect_open_refused(s, hs.echo.relid, spare_handle, 0, 0);
}

static bool open_offset_past_end(struct hsaw *s)
{
	return expect_open_refused(s, hs.echo.relid, spare_handle, 0, SPARE_PAGES - 1);
}

static bool open_offset_huge(struct hsaw *s)
{
	return expect_open_refused(s, hs.echo.relid, spare_handle, 0, 0xFFFFFFFFu);
}

static bool open_bad_vp(struct hsaw *s)
{
	return expect_open_refused(s, hs.echo.relid, spare_handle, NO_SUCH_VP, 2);
}

/* Ring pages whose header holds an index the host must not adopt
 * (facts §6.2: indices are 8-aligned and inside the data area). */
static bool open_bad_initial_index(struct hsaw *s, uint32_t handle,
				   unsigned header_page, size_t field,
				   uint32_t value)
{
	uint8_t *pages = page_alloc(SPARE_PAGES);
	uint64_t st[1 + SPARE_PAGES] = { range(SPARE_PAGES * PAGE_SIZE, 0) };
	uint32_t status;

	if (!pages) {
		saw(s, "out of memory");
		return false;
	}
	for (unsigned i = 0; i < SPARE_PAGES; i++)
		st[1 + i] = virt_to_pfn(pages + i * PAGE_SIZE);
	memcpy(pages + header_page * PAGE_SIZE + field, &value, sizeof(value));
	hm_post_ctl(buf, header(hs.echo.relid, handle, 8 * (1 + SPARE_PAGES), 1,
				st, 1 + SPARE_PAGES));
	status = created_status(handle);
	if (status != 0) {
		saw(s, "the ring GPADL itself was not created (0x%x)", status);
		return false;
	}
	return expect_open_refused(s, hs.echo.relid, handle, 0, 2);
}

static bool open_misaligned_read_index(struct hsaw *s)
{
	return open_bad_initial_index(s, HANDLE(24), 0,
				      offsetof(struct vmbus_ring_header, read_index), 4);
}

static bool open_write_index_past_ring(struct hsaw *s)
{
	return open_bad_initial_index(s, HANDLE(25), 2,
				      offsetof(struct vmbus_ring_header, write_index),
				      0x100000);
}

static const struct hcase cases[] = {
	{ "GPADL for a relid never offered", "vmbus.unknown-relid", unknown_relid },
	{ "GPADL with a PFN outside RAM", "vmbus.gpadl-pfn-not-ram", pfn_outside_ram },
	{ "GPADL with a PFN in the low MMIO gap", "vmbus.gpadl-pfn-not-ram", pfn_in_gap },
	{ "GPADL with a PFN beyond the address space", "vmbus.gpadl-pfn-not-ram", pfn_beyond },
	{ "GPADL announcing 8190 pages", "vmbus.gpadl-too-large", huge },
	{ "GPADL range_buflen not in qwords", "vmbus.gpadl-buflen-invalid", buflen_not_qwords },
	{ "GPADL with no ranges", "vmbus.gpadl-rangecount-invalid", no_ranges },
	{ "GPADL with more ranges than range_buflen holds", "vmbus.gpadl-rangecount-invalid", too_many_ranges },
	{ "GPADL range starting past its first page", "vmbus.gpadl-range-offset-invalid", offset_past_page },
	{ "GPADL range of 0 bytes", "vmbus.gpadl-range-empty", empty_range },
	{ "GPADL range needing more PFNs than sent", "vmbus.gpadl-range-truncated", range_short_of_pfns },
	{ "GPADL range of 4 GiB from offset 4095", "vmbus.gpadl-range-truncated", range_of_4g },
	{ "GPADL with a PFN no range uses", "vmbus.gpadl-range-trailing-data", trailing_pfn },
	{ "short GPADL_HEADER carrying more than range_buflen", "vmbus.gpadl-data-beyond-announced", beyond_announced },
	{ "GPADL_BODY without its GPADL_HEADER", "vmbus.gpadl-body-unknown-handle", body_without_header },
	{ "GPADL_HEADER reusing a live GPADL handle", "vmbus.gpadl-handle-reused", handle_reused },
	{ "GPADL_BODY for a complete GPADL", "vmbus.gpadl-data-beyond-announced", body_after_complete },
	{ "GPADL_TEARDOWN of a handle never created", "vmbus.gpadl-teardown-unknown-handle", teardown_unknown },
	{ "GPADL_TEARDOWN naming another channel", "vmbus.gpadl-relid-mismatch", teardown_wrong_relid },
	{ "OPENCHANNEL on another channel's GPADL", "vmbus.open-gpadl-wrong-relid", open_foreign_gpadl },
	{ "OPENCHANNEL on a GPADL of partial pages", "vmbus.open-gpadl-not-ring-shaped", open_not_ring_shaped },
	{ "OPENCHANNEL on a GPADL of two ranges", "vmbus.open-gpadl-not-ring-shaped", open_two_ranges },
	{ "OPENCHANNEL on a half-sent GPADL", "vmbus.open-unknown-gpadl", open_half_sent },
	{ "GPADL_TEARDOWN of a half-sent GPADL", "vmbus.gpadl-teardown-unknown-handle", teardown_half_sent },
	{ "OPENCHANNEL with downstream offset 0", "vmbus.open-ring-offset-invalid", open_offset_zero },
	{ "OPENCHANNEL with downstream offset past the GPADL", "vmbus.open-ring-offset-invalid", open_offset_past_end },
	{ "OPENCHANNEL with downstream offset 0xffffffff", "vmbus.open-ring-offset-invalid", open_offset_huge },
	{ "OPENCHANNEL with a target VP that does not exist", "vmbus.open-target-vp-out-of-range", open_bad_vp },
	{ "OPENCHANNEL on a ring with a misaligned read index", "ring.initial-index-invalid", open_misaligned_read_index },
	{ "OPENCHANNEL on a ring with a write index past its end", "ring.initial-index-invalid", open_write_index_past_ring },
};

const struct hgroup hostile_gpadl_group = HGROUP("GPADLs", setup, NULL, cases);

/* The spare GPADL, for attack_open.c. */
uint32_t hostile_spare_gpadl(void)
{
	return spare_handle;
}
