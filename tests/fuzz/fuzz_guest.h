/* SPDX-License-Identifier: MIT */
/*
 * The guest the VMBus fuzz targets play: 1 MiB of RAM at GPA 0, the
 * Hyper-V partition (struct hv) with its real SynIC programmed through
 * hv_wrmsr() as a guest does, and a vmbus_host attached as the bus.
 * Helpers post control messages (straight to the bus ops, or through a
 * real HvPostMessage input block and hv_hypercall()), take messages out
 * of the SIMP slots and write EOM the way Linux does, and build the
 * well-formed steps (connect, GPADL, open) the targets start from.
 *
 * RAM layout (page numbers):
 *   1  hypercall page        2,4  SIMP of VP 0,1     3,5  SIEF of VP 0,1
 *   6  hypercall input page  8..255 free for GPADLs and rings
 */
#ifndef KVMBUS_FUZZ_GUEST_H
#define KVMBUS_FUZZ_GUEST_H

#include "tests/fuzz/fuzz_common.h"
#include "tests/vmbus_test_msgs.h"

#include "vmbus/vmbus.h"
#include "vmbus/vmbus_internal.h"
#include "vmm/hv.h"

#define FG_PAGE           4096u
#define FG_RAM_SIZE       (1u << 20)
#define FG_RAM_PAGES      (FG_RAM_SIZE / FG_PAGE)
#define FG_NR_VPS         2u
#define FG_VECTOR         0xF3u
#define FG_HCALL_GPA      0x1000u
#define FG_SIMP_GPA(vp)   (0x2000u + (vp) * 0x2000u)
#define FG_SIEF_GPA(vp)   (0x3000u + (vp) * 0x2000u)
#define FG_INPUT_GPA      0x6000u
#define FG_FIRST_FREE_PFN 8u
#define FG_MSG_MAX        HV_MESSAGE_PAYLOAD_MAX
#define FG_GUEST_OS_ID    0x8100000000000000ull   /* "Linux", no build */

/* A message the guest took out of a SIMP slot. */
typedef void fg_msg_fn(void *ctx, unsigned vp, unsigned sint,
		       const uint8_t *msg, uint32_t len);

struct fg {
	uint8_t *ram;                 /* FG_RAM_SIZE, allocated once */
	struct guest_mem mem;
	struct hv hv;
	struct vmbus_host *host;
	uint64_t injected;
	fg_msg_fn *on_msg;
	void *on_msg_ctx;
	/* The last control messages the guest saw, by type. */
	uint32_t last_open_status;
	uint32_t last_gpadl_status;
	uint32_t msgs_seen;
	/* Slots the guest itself wrote a message type into (bit = SINT):
	 * what they hold is not the host's. */
	uint16_t scribbled[FG_NR_VPS];
	/* Only the SynIC writes the SIMP pages, so every message must be
	 * well-formed.  A target whose guest may put rings, the SIEF page or
	 * the hypercall input on a SIMP page clears it. */
	bool strict_slots;
};

static inline void fg_inject(void *ctx, unsigned vp, uint8_t vector)
{
	struct fg *g = ctx;

	FZ_CHECK(vp < FG_NR_VPS);
	FZ_CHECK(vector >= HV_SINT_MIN_VECTOR);
	g->injected++;
}

/* Fresh guest and host.  The struct is reused between inputs (the SynIC
 * queues make it 2 MiB), RAM included. */
static inline void fg_init(struct fg *g)
{
	uint8_t *ram = g->ram;

	if (!ram) {
		ram = malloc(FG_RAM_SIZE);
		FZ_CHECK(ram);
	}
	memset(g, 0, offsetof(struct fg, hv));
	memset(ram, 0, FG_RAM_SIZE);
	g->ram = ram;
	g->mem.bank[0].gpa = 0;
	g->mem.bank[0].size = FG_RAM_SIZE;
	g->mem.bank[0].host = ram;
	g->mem.nr_banks = 1;
	hv_init(&g->hv, &g->mem, FG_NR_VPS, fg_inject, g);
	g->host = vmbus_host_create(&g->mem, &g->hv.synic);
	FZ_CHECK(g->host);
	hv_set_bus(&g->hv, &vmbus_hv_bus_ops, g->host);
	g->on_msg = NULL;
	g->on_msg_ctx = NULL;
	g->injected = 0;
	g->msgs_seen = 0;
	g->strict_slots = true;
	g->last_open_status = UINT32_MAX;
	g->last_gpadl_status = UINT32_MAX;

	/* What Linux does on every CPU before it talks to VMBus. */
	FZ_CHECK(hv_wrmsr(&g->hv, 0, HV_MSR_GUEST_OS_ID, FG_GUEST_OS_ID) == 0);
	FZ_CHECK(hv_wrmsr(&g->hv, 0, HV_MSR_HYPERCALL,
			  FG_HCALL_GPA | HV_HYPERCALL_ENABLE) == 0);
	for (unsigned vp = 0; vp < FG_NR_VPS; vp++) {
		FZ_CHECK(hv_wrmsr(&g->hv, vp, HV_MSR_SIMP,
				  FG_SIMP_GPA(vp) | HV_SYNIC_PAGE_ENABLE) == 0);
		FZ_CHECK(hv_wrmsr(&g->hv, vp, HV_MSR_SIEFP,
				  FG_SIEF_GPA(vp) | HV_SYNIC_PAGE_ENABLE) == 0);
		FZ_CHECK(hv_wrmsr(&g->hv, vp, HV_MSR_SINT0 + VMBUS_MESSAGE_SINT,
				  FG_VECTOR) == 0);
		FZ_CHECK(hv_wrmsr(&g->hv, vp, HV_MSR_SCONTROL,
				  HV_SCONTROL_ENABLE) == 0);
	}
}

static inline void fg_fini(struct fg *g)
{
	vmbus_host_destroy(g->host);
	g->host = NULL;
}

/* ---- messages from the guest ---------------------------------------- */

static inline uint16_t fg_post(struct fg *g, unsigned vp, uint32_t conn,
			       const void *msg, uint32_t len)
{
	return vmbus_hv_bus_ops.post_message(g->host, vp, conn,
					     HV_MESSAGE_TYPE_VMBUS, msg, len);
}

/* The same through the hypercall: an input block in guest RAM. */
static inline uint64_t fg_post_hypercall(struct fg *g, unsigned vp,
					 uint64_t control, uint32_t conn,
					 uint32_t type, uint32_t reserved,
					 const void *msg, uint32_t len)
{
	struct hv_post_message_input in;

	memset(&in, 0, sizeof(in));
	in.connection_id = conn;
	in.reserved = reserved;
	in.message_type = type;
	in.payload_size = len;
	memcpy(in.payload, msg, len < sizeof(in.payload) ? len : sizeof(in.payload));
	memcpy(g->ram + FG_INPUT_GPA, &in, sizeof(in));
	return hv_hypercall(&g->hv, vp, control, FG_INPUT_GPA, 0);
}

/* Linux's doorbell for a channel: flag 0 of the offer's connection id. */
static inline uint16_t fg_signal(struct fg *g, unsigned vp, uint32_t relid)
{
	return vmbus_hv_bus_ops.signal_event(g->host, vp,
					     VMBUS_CHANNEL_CONN_BASE + relid, 0);
}

/* Connection id an INITIATE_CONTACT of this version must use. */
static inline uint32_t fg_initiate_conn(uint32_t version)
{
	return version >= VMBUS_VERSION_WIN10_V5 ? VMBUS_MESSAGE_CONNECTION_ID_4
						 : VMBUS_MESSAGE_CONNECTION_ID;
}

/* ---- messages to the guest ------------------------------------------- */

static inline void fg_note(struct fg *g, const uint8_t *msg,
			   uint32_t len)
{
	struct vmbus_msg_header hdr;

	g->msgs_seen++;
	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.msgtype == VMBUS_MSG_OPENCHANNEL_RESULT &&
	    len >= sizeof(struct vmbus_msg_open_result)) {
		struct vmbus_msg_open_result r;

		memcpy(&r, msg, sizeof(r));
		g->last_open_status = r.status;
	} else if (hdr.msgtype == VMBUS_MSG_GPADL_CREATED &&
		   len >= sizeof(struct vmbus_msg_gpadl_created)) {
		struct vmbus_msg_gpadl_created c;

		memcpy(&c, msg, sizeof(c));
		g->last_gpadl_status = c.creation_status;
	}
}

/* Take what the SIMP slots of every VP hold, as Linux's ISR does: copy,
 * free the slot, and write EOM if the host flagged another message
 * waiting.  Loops until nothing more arrives.  Returns messages taken. */
static inline unsigned fg_drain(struct fg *g)
{
	unsigned taken = 0;
	bool again = true;

	for (unsigned round = 0; again && round < 4 * SYNIC_QUEUE_LEN; round++) {
		again = false;
		for (unsigned vp = 0; vp < FG_NR_VPS; vp++) {
			uint64_t simp = g->hv.synic.vp[vp].simp;
			uint8_t *page;

			if (!(simp & HV_SYNIC_PAGE_ENABLE))
				continue;
			page = guest_mem_ptr(&g->mem, simp & HV_PAGE_GPN_MASK,
					     FG_PAGE);
			FZ_CHECK(page);   /* the SynIC refused non-RAM pages */
			for (unsigned sint = 0; sint < HV_SINT_COUNT; sint++) {
				uint8_t *slot = page + HV_SIMP_SLOT_OFFSET(sint);
				struct hv_message m;
				uint32_t len;

				memcpy(&m, slot, sizeof(m));
				if (m.header.message_type == HV_MESSAGE_TYPE_NONE)
					continue;
				len = m.header.payload_size < FG_MSG_MAX ?
				      m.header.payload_size : FG_MSG_MAX;
				if (g->scribbled[vp] & (1u << sint)) {
					g->scribbled[vp] &= (uint16_t)~(1u << sint);
				} else {
					FZ_CHECK(!g->strict_slots ||
						 (m.header.message_type ==
						  HV_MESSAGE_TYPE_VMBUS &&
						  m.header.payload_size <= FG_MSG_MAX));
					fg_note(g, m.payload, len);
					if (g->on_msg)
						g->on_msg(g->on_msg_ctx, vp, sint,
							  m.payload, len);
				}
				memset(slot, 0, sizeof(m.header));
				if (m.header.flags & HV_MESSAGE_FLAG_PENDING)
					FZ_CHECK(hv_wrmsr(&g->hv, vp, HV_MSR_EOM, 0) == 0);
				taken++;
				again = true;
			}
		}
	}
	return taken;
}

/* ---- well-formed steps ------------------------------------------------ */

/* INITIATE_CONTACT as Linux sends it; true if the host accepted. */
static inline bool fg_connect(struct fg *g, uint32_t version)
{
	struct vmbus_msg_initiate_contact m;

	memset(&m, 0, sizeof(m));
	m.hdr.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	m.version = version;
	if (version >= VMBUS_VERSION_WIN10_V5)
		m.msg_sint = VMBUS_MESSAGE_SINT;
	fg_post(g, 0, fg_initiate_conn(version), &m, sizeof(m));
	fg_drain(g);
	return vmbus_host_connected(g->host);
}

static inline void fg_request_offers(struct fg *g)
{
	struct vmbus_msg_header m = { .msgtype = VMBUS_MSG_REQUESTOFFERS };

	fg_post(g, 0, VMBUS_MESSAGE_CONNECTION_ID, &m, sizeof(m));
	fg_drain(g);
}

static inline void fg_post_control(void *ctx, const void *msg, uint32_t len)
{
	fg_post(ctx, 0, VMBUS_MESSAGE_CONNECTION_ID, msg, len);
}

/* One page-aligned range of n pages, split into GPADL_HEADER and BODY
 * messages the way Linux splits them.  Returns the GPADL_CREATED status
 * (UINT32_MAX if none came). */
static inline uint32_t fg_gpadl(struct fg *g, uint32_t relid,
				uint32_t handle, const uint64_t *pfns,
				uint32_t n)
{
	g->last_gpadl_status = UINT32_MAX;
	tmsg_send_gpadl(relid, handle, pfns, n, 0, n * FG_PAGE,
			fg_post_control, g);
	fg_drain(g);
	return g->last_gpadl_status;
}

/* OPENCHANNEL; returns the OPENCHANNEL_RESULT status (UINT32_MAX: none). */
static inline uint32_t fg_open(struct fg *g, uint32_t relid,
			       uint32_t handle, uint32_t downstream_pages,
			       uint32_t target_vp)
{
	struct vmbus_msg_open_channel o;

	tmsg_open_channel(&o, relid, handle, downstream_pages, target_vp);
	g->last_open_status = UINT32_MAX;
	fg_post(g, 0, VMBUS_MESSAGE_CONNECTION_ID, &o, sizeof(o));
	fg_drain(g);
	return g->last_open_status;
}

static inline void fg_relid_msg(struct fg *g, uint32_t type,
				uint32_t relid)
{
	struct vmbus_msg_relid m = { .hdr.msgtype = type, .child_relid = relid };

	fg_post(g, 0, VMBUS_MESSAGE_CONNECTION_ID, &m, sizeof(m));
	fg_drain(g);
}

/* ---- host invariants ---------------------------------------------------- */

/* The GPADL table agrees with itself: its count, the limit, and every
 * complete GPADL's pages being RAM and matching its ranges; and each
 * open channel's ring GPADL is in the table, complete and marked. */
static inline void fg_check_host(struct fg *g)
{
	struct vmbus_host *h = g->host;
	unsigned n = 0;

	for (struct vmbus_gpadl *gp = h->gpadls.head; gp; gp = gp->next) {
		n++;
		FZ_CHECK(n <= VMBUS_GPADL_MAX_PER_CONN);
		if (!gp->complete) {
			FZ_CHECK(gp->stream && gp->stream_got < gp->stream_len);
			continue;
		}
		FZ_CHECK(gp->pfns && gp->ranges && gp->rangecount > 0);
		FZ_CHECK(gp->pfn_count <= VMBUS_GPADL_MAX_PAGES);
		for (uint32_t i = 0; i < gp->pfn_count; i++)
			FZ_CHECK(gp->pfns[i] < FG_RAM_PAGES);
		for (uint32_t i = 0; i < gp->rangecount; i++) {
			const struct vmbus_gpadl_range *r = &gp->ranges[i];

			FZ_CHECK(r->byte_offset < FG_PAGE && r->byte_count);
			FZ_CHECK(r->first_pfn + r->pfn_count <= gp->pfn_count);
			FZ_CHECK((uint64_t)r->pfn_count * FG_PAGE >=
				 (uint64_t)r->byte_offset + r->byte_count);
		}
	}
	FZ_CHECK(n == h->gpadls.count);
	for (unsigned i = 0; i < h->nr_chan; i++) {
		const struct vmbus_channel *ch = &h->chan[i];
		bool found = false;

		if (ch->state != CHAN_OPEN) {
			continue;
		}
		FZ_CHECK(h->connected);
		FZ_CHECK(ch->gpadl && ch->gpadl->complete);
		FZ_CHECK(ch->gpadl->used_by_relid == ch->relid);
		for (struct vmbus_gpadl *gp = h->gpadls.head; gp; gp = gp->next)
			found |= gp == ch->gpadl;
		FZ_CHECK(found);
		FZ_CHECK(ch->target_vp < FG_NR_VPS);
	}
	if (!h->connected)
		FZ_CHECK(h->gpadls.count == 0);
}

#endif
