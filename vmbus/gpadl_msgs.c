// SPDX-License-Identifier: MIT
/*
 * The GPADL control messages (facts §5.3): GPADL_HEADER and GPADL_BODY
 * build a GPADL in the connection's table and are answered with
 * GPADL_CREATED once it is complete (or refused); GPADL_TEARDOWN removes
 * one that no open channel uses and is answered with GPADL_TORNDOWN.
 */
#include "vmbus/vmbus.h"

#include "vmbus/msg_names.h"
#include "vmbus/vmbus_internal.h"
#include "vmm/log.h"

static void send_gpadl_created(struct vmbus_host *h, uint32_t relid,
			       uint32_t handle, bool ok)
{
	struct vmbus_msg_gpadl_created r = {
		.hdr.msgtype = VMBUS_MSG_GPADL_CREATED,
		.child_relid = relid,
		.gpadl = handle,
		.creation_status = ok ? 0 : VMBUS_STATUS_FAILURE,
	};
	struct vmbus_gpadl *g = ok ? vmbus_gpadl_find(&h->gpadls, handle) : NULL;
	struct trace_rec tr;

	/* Traced here rather than in vmbus_send_msg so the record can carry
	 * the size of what was created. */
	if (vmbus_trace_msg_begin(&tr, TRACE_H2G, &r, sizeof(r))) {
		if (g) {
			trace_u64(&tr, "pages", g->pfn_count);
			trace_u64(&tr, "ranges", g->rangecount);
		}
		trace_end(&tr);
	}
	vmbus_post_to_guest(h, h->target_vcpu, h->sint, &r, sizeof(r));
}

static void answer_step(struct vmbus_host *h, enum vmbus_gpadl_step step,
			uint32_t relid, uint32_t handle)
{
	switch (step) {
	case GPADL_STEP_DONE:
		send_gpadl_created(h, relid, handle, true);
		break;
	case GPADL_STEP_FAILED:
		send_gpadl_created(h, relid, handle, false);
		break;
	case GPADL_STEP_MORE:
	case GPADL_STEP_IGNORED:
		break;
	}
}

/* The whole 240-byte payload: bytes past the announced stream are then
 * taken as padding (facts §5.3: some clients send maximum-length
 * messages). */
static bool full_size(uint32_t size)
{
	return size == HV_MESSAGE_PAYLOAD_MAX;
}

void vmbus_on_gpadl_header(struct vmbus_host *h, const struct vmbus_msg_ctx *ctx,
			   const void *msg, uint32_t size)
{
	const struct vmbus_msg_gpadl_header *m = msg;
	struct vmbus_channel *ch = vmbus_chan_by_relid(h, m->child_relid);
	enum vmbus_gpadl_step step;

	(void)ctx;
	if (!ch || !vmbus_chan_offered(ch)) {
		guest_refuse("vmbus.unknown-relid",
			     "GPADL_HEADER %#x for relid %u, which is not "
			     "offered", m->gpadl, m->child_relid);
		step = GPADL_STEP_FAILED;
	} else {
		step = vmbus_gpadl_begin(&h->gpadls, h->mem, m->child_relid,
					 m->gpadl, m->range_buflen,
					 m->rangecount,
					 (const uint8_t *)msg + sizeof(*m),
					 size - (uint32_t)sizeof(*m),
					 full_size(size));
	}
	answer_step(h, step, m->child_relid, m->gpadl);
}

void vmbus_on_gpadl_body(struct vmbus_host *h, const struct vmbus_msg_ctx *ctx,
			 const void *msg, uint32_t size)
{
	const struct vmbus_msg_gpadl_body *m = msg;
	uint32_t relid = 0;
	enum vmbus_gpadl_step step;

	(void)ctx;
	/* msgnumber is not checked: Linux leaves it 0 (facts §5.3). */
	step = vmbus_gpadl_continue(&h->gpadls, h->mem, m->gpadl,
				    (const uint8_t *)msg + sizeof(*m),
				    size - (uint32_t)sizeof(*m),
				    full_size(size), &relid);
	answer_step(h, step, relid, m->gpadl);
}

void vmbus_on_gpadl_teardown(struct vmbus_host *h,
			     const struct vmbus_msg_ctx *ctx, const void *msg,
			     uint32_t size)
{
	const struct vmbus_msg_gpadl_teardown *m = msg;
	struct vmbus_gpadl *g = vmbus_gpadl_find(&h->gpadls, m->gpadl);
	struct vmbus_msg_gpadl_torndown r = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TORNDOWN,
		.gpadl = m->gpadl,
	};

	(void)ctx;
	(void)size;
	/* A refused teardown has no failure answer in the protocol: the
	 * GPADL simply stays. */
	if (!g || !g->complete) {
		guest_refuse("vmbus.gpadl-teardown-unknown-handle",
			     "GPADL_TEARDOWN of %#x, which is not created",
			     m->gpadl);
		return;
	}
	if (g->relid != m->child_relid) {
		guest_refuse("vmbus.gpadl-relid-mismatch",
			     "GPADL_TEARDOWN of %#x for relid %u; it belongs "
			     "to relid %u", m->gpadl, m->child_relid, g->relid);
		return;
	}
	if (g->used_by_relid) {
		guest_refuse("vmbus.gpadl-in-use",
			     "GPADL_TEARDOWN of %#x while relid %u is open on "
			     "it", m->gpadl, g->used_by_relid);
		return;
	}
	vmbus_gpadl_remove(&h->gpadls, g);
	vmbus_send_msg(h, &r, sizeof(r));
}
