// SPDX-License-Identifier: MIT
/*
 * Fuzz target: GPADL assembly and validation (vmbus/gpadl.c through the
 * control messages of vmbus/gpadl_msgs.c).  The host is connected and
 * has offered two echo channels; the input is a series of records:
 *
 *   op & 7  0-2  GPADL_HEADER: relid, handle, range_buflen (as announced
 *                or computed), rangecount, then qwords of the range stream
 *           3-4  GPADL_BODY: handle, then qwords
 *           5    GPADL_TEARDOWN: relid, handle
 *           6    OPENCHANNEL on a GPADL / CLOSECHANNEL
 *           7    UNLOAD and reconnect, or a raw message
 *   op & 0x80    pad the message to the full 240 bytes
 *
 * A qword of the stream is either a range descriptor (byte_count,
 * byte_offset) or a PFN: a page of guest RAM, or one outside it (just
 * past the end, far away, or beyond the largest page number).  Handles
 * come from a small set so headers, bodies and teardowns meet.
 */
#include "tests/fuzz/fuzz_guest.h"

static struct fg guest;

static uint32_t pick_handle(struct fz *f)
{
	uint8_t b = fz_u8(f);

	return b & 0x80 ? fz_u32(f) : 0x100u + (b & 7);
}

static uint32_t pick_relid(struct fz *f)
{
	uint8_t b = fz_u8(f);

	return b & 0x80 ? fz_u32(f) : 1 + (b & 3);   /* 1, 2 offered; 3, 4 not */
}

/* One qword of a range stream. */
static uint64_t stream_qword(struct fz *f)
{
	uint8_t sel = fz_u8(f);

	switch (sel & 7) {
	case 0: {
		/* A range descriptor: byte_count, then byte_offset. */
		uint32_t count = sel & 0x80 ? fz_u32(f) : (uint32_t)fz_u16(f) << 4;
		uint32_t offset = sel & 0x40 ? fz_u32(f) : fz_u16(f) & 0xFFF;

		return (uint64_t)offset << 32 | count;
	}
	case 1:
	case 2:
	case 3:
		return FG_FIRST_FREE_PFN + fz_u8(f) % (FG_RAM_PAGES - FG_FIRST_FREE_PFN);
	case 4:
		return FG_RAM_PAGES + fz_u8(f);                 /* past RAM */
	case 5:
		return (UINT64_MAX >> 12) + 1 - (fz_u8(f) & 3); /* around MAX_PFN */
	case 6:
		return fz_u8(f);                                 /* low pages */
	default:
		return fz_u64(f);
	}
}

/* Fill `n` qwords of stream; returns bytes written. */
static uint32_t fill_stream(struct fz *f, uint8_t *dst, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t q = stream_qword(f);

		memcpy(dst + i * 8, &q, 8);
	}
	return n * 8;
}

static void post_padded(struct fg *g, uint8_t *buf, uint32_t len, bool full)
{
	if (full) {
		memset(buf + len, 0, FG_MSG_MAX - len);
		len = FG_MSG_MAX;
	}
	fg_post(g, 0, VMBUS_MESSAGE_CONNECTION_ID, buf, len);
}

static void do_header(struct fg *g, struct fz *f, bool full)
{
	uint8_t buf[FG_MSG_MAX];
	struct vmbus_msg_gpadl_header h;
	uint8_t sel = fz_u8(f);
	uint32_t n = fz_u8(f) % 28;   /* qwords in this message: 0..27 */
	uint32_t len;

	memset(&h, 0, sizeof(h));
	h.hdr.msgtype = VMBUS_MSG_GPADL_HEADER;
	h.child_relid = pick_relid(f);
	h.gpadl = pick_handle(f);
	h.rangecount = sel & 0x80 ? fz_u16(f) : 1 + (sel & 3);
	len = (uint32_t)sizeof(h) + fill_stream(f, buf + sizeof(h), n);
	if (len > FG_MSG_MAX)
		len = FG_MSG_MAX;
	/* Announced length: what this message holds plus some bodies' worth,
	 * or any value. */
	if (sel & 0x40)
		h.range_buflen = fz_u16(f);
	else
		h.range_buflen = (uint16_t)(n * 8 + (uint32_t)(fz_u8(f) % 64) * 8 *
					    ((sel >> 4) & 3));
	memcpy(buf, &h, sizeof(h));
	post_padded(g, buf, len, full);
}

static void do_body(struct fg *g, struct fz *f, bool full)
{
	uint8_t buf[FG_MSG_MAX];
	struct vmbus_msg_gpadl_body b;
	uint32_t n = fz_u8(f) % 29;   /* 0..28 qwords */
	uint32_t len;

	memset(&b, 0, sizeof(b));
	b.hdr.msgtype = VMBUS_MSG_GPADL_BODY;
	b.msgnumber = fz_u8(f);
	b.gpadl = pick_handle(f);
	memcpy(buf, &b, sizeof(b));
	len = (uint32_t)sizeof(b) + fill_stream(f, buf + sizeof(b), n);
	if (len > FG_MSG_MAX)
		len = FG_MSG_MAX;
	post_padded(g, buf, len, full);
}

static void do_teardown(struct fg *g, struct fz *f)
{
	struct vmbus_msg_gpadl_teardown t = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TEARDOWN,
	};

	t.child_relid = pick_relid(f);
	t.gpadl = pick_handle(f);
	fg_post(g, 0, VMBUS_MESSAGE_CONNECTION_ID, &t, sizeof(t));
}

static void do_open_close(struct fg *g, struct fz *f)
{
	uint8_t sel = fz_u8(f);
	uint32_t relid = pick_relid(f);

	if (sel & 1) {
		fg_relid_msg(g, VMBUS_MSG_CLOSECHANNEL, relid);
		return;
	}
	fg_open(g, relid, pick_handle(f), fz_u8(f) % 8, (sel >> 1) & 1);
	/* An open channel's ring is the GPADL's pages: ring the bell so the
	 * echo reads them. */
	fg_signal(g, 0, relid);
}

static void do_misc(struct fg *g, struct fz *f, bool full)
{
	uint8_t sel = fz_u8(f);

	if (sel & 1) {
		struct vmbus_msg_header u = { .msgtype = VMBUS_MSG_UNLOAD };

		fg_post(g, 0, VMBUS_MESSAGE_CONNECTION_ID, &u, sizeof(u));
		fg_drain(g);
		if (fg_connect(g, VMBUS_VERSION_WIN10_V5_3))
			fg_request_offers(g);
	} else {
		uint8_t buf[FG_MSG_MAX];
		uint32_t len = fz_u8(f) % (FG_MSG_MAX + 1);
		uint32_t type = sel & 2 ? VMBUS_MSG_GPADL_BODY : VMBUS_MSG_GPADL_HEADER;

		fz_bytes(f, buf, len);
		if (len >= 4)
			memcpy(buf, &type, 4);
		post_padded(g, buf, len, full);
	}
}

/* What the answers promise, checked as the guest reads them (each
 * record is drained before the next, so the table is still as they
 * describe it). */
static void on_msg(void *ctx, unsigned vp, unsigned sint, const uint8_t *msg,
		   uint32_t len)
{
	struct fg *g = ctx;
	struct vmbus_msg_header hdr;

	(void)vp;
	(void)sint;
	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.msgtype == VMBUS_MSG_GPADL_CREATED &&
	    len >= sizeof(struct vmbus_msg_gpadl_created)) {
		struct vmbus_msg_gpadl_created c;
		struct vmbus_gpadl *gp;

		memcpy(&c, msg, sizeof(c));
		gp = vmbus_gpadl_find(&g->host->gpadls, c.gpadl);
		/* (A failure may name a handle still in use: a reused one.) */
		if (c.creation_status == 0)
			FZ_CHECK(gp && gp->complete && gp->relid == c.child_relid);
	} else if (hdr.msgtype == VMBUS_MSG_GPADL_TORNDOWN &&
		   len >= sizeof(struct vmbus_msg_gpadl_torndown)) {
		struct vmbus_msg_gpadl_torndown t;

		memcpy(&t, msg, sizeof(t));
		FZ_CHECK(!vmbus_gpadl_find(&g->host->gpadls, t.gpadl));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = fz_of(data, size);
	struct fg *g = &guest;
	struct vmbus_service echo = {
		.name = "echo",
		.class_id = VMBUS_CLASS_ECHO,
		.instance_id = VMBUS_ECHO_INSTANCE,
		.ops = &vmbus_echo_ops,
	};
	unsigned records = 0;

	fz_process_setup();
	fg_init(g);
	/* A GPADL may include a SIMP page and become a ring. */
	g->strict_slots = false;
	g->on_msg = on_msg;
	g->on_msg_ctx = g;
	FZ_CHECK(vmbus_register_service(g->host, &echo) == 0);
	echo.instance_id.b[15] = 2;
	FZ_CHECK(vmbus_register_service(g->host, &echo) == 1);
	FZ_CHECK(fg_connect(g, VMBUS_VERSION_WIN10_V5_3));
	fg_request_offers(g);

	while (fz_more(&f) && records++ < 512) {
		uint8_t op = fz_u8(&f);
		bool full = op & 0x80;

		switch (op & 7) {
		case 0:
		case 1:
		case 2:
			do_header(g, &f, full);
			break;
		case 3:
		case 4:
			do_body(g, &f, full);
			break;
		case 5:
			do_teardown(g, &f);
			break;
		case 6:
			do_open_close(g, &f);
			break;
		default:
			do_misc(g, &f, full);
			break;
		}
		fg_drain(g);
		fg_check_host(g);
	}
	fg_fini(g);
	return 0;
}
