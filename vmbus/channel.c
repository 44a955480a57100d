// SPDX-License-Identifier: MIT
/*
 * Channel lifetime: offer, open, close, retarget, rescind, release, and
 * the guest's doorbell (HvSignalEvent).  Facts §5.3, §5.4.
 *
 *   IDLE --REQUESTOFFERS--> OFFERED --OPENCHANNEL--> OPEN
 *   OPEN --CLOSECHANNEL--> OFFERED
 *   OFFERED/OPEN --vmbus_rescind--> RESCINDED --RELID_RELEASED--> GONE
 *   any --UNLOAD--> IDLE (GONE stays GONE, RESCINDED becomes GONE)
 */
#include "vmbus/vmbus.h"

#include <stdlib.h>
#include <string.h>

#include "vmbus/vmbus_internal.h"
#include "vmm/log.h"

bool vmbus_chan_offered(const struct vmbus_channel *ch)
{
	return ch->state == CHAN_OFFERED || ch->state == CHAN_OPEN;
}

void vmbus_chan_offer(struct vmbus_channel *ch)
{
	struct vmbus_msg_offer_channel m;

	memset(&m, 0, sizeof(m));
	m.hdr.msgtype = VMBUS_MSG_OFFERCHANNEL;
	m.if_type = ch->svc.class_id;
	m.if_instance = ch->svc.instance_id;
	m.mmio_megabytes = ch->svc.mmio_megabytes;
	m.sub_channel_index = 0;
	m.child_relid = ch->relid;
	/* monitor_allocated 0: every guest signal is an HvSignalEvent
	 * (facts §5.4); dedicated interrupt as OpenVMM offers. */
	m.monitor_allocated = 0;
	m.is_dedicated_interrupt = 1;
	m.connection_id = VMBUS_CHANNEL_CONN_BASE + ch->relid;
	ch->state = CHAN_OFFERED;
	vmbus_send_msg(ch->host, &m, sizeof(m));
}

void vmbus_chan_signal_guest(struct vmbus_channel *ch)
{
	struct vmbus_host *h = ch->host;

	/* facts §4.2: flag number = relid, on the channel's target VP. */
	if (synic_signal_event(h->synic, ch->target_vp, h->sint, ch->relid))
		log_err("vmbus: could not signal relid %u on VP %u", ch->relid,
			ch->target_vp);
	h->stats.signals_out++;
}

/* ---- open ------------------------------------------------------------- */

/* Check an OPENCHANNEL against the channel and its ring GPADL.  Returns
 * the GPADL, or NULL after refusing. */
static struct vmbus_gpadl *open_gpadl(struct vmbus_host *h,
				      const struct vmbus_msg_open_channel *m)
{
	struct vmbus_gpadl *g = vmbus_gpadl_find(&h->gpadls, m->ringbuffer_gpadl);
	uint32_t npages, off = m->downstream_ring_pageoffset;

	if (!g || !g->complete) {
		guest_refuse("vmbus.open-unknown-gpadl",
			     "OPENCHANNEL relid %u: GPADL %#x is not created",
			     m->child_relid, m->ringbuffer_gpadl);
		return NULL;
	}
	if (g->relid != m->child_relid) {
		guest_refuse("vmbus.open-gpadl-wrong-relid",
			     "OPENCHANNEL relid %u: GPADL %#x belongs to relid "
			     "%u", m->child_relid, g->handle, g->relid);
		return NULL;
	}
	if (g->used_by_relid) {
		guest_refuse("vmbus.open-gpadl-in-use",
			     "OPENCHANNEL relid %u: GPADL %#x is the ring of "
			     "relid %u", m->child_relid, g->handle,
			     g->used_by_relid);
		return NULL;
	}
	/* facts §6.1: one page-aligned buffer holding both rings. */
	if (g->rangecount != 1 || g->ranges[0].byte_offset != 0 ||
	    g->ranges[0].byte_count % VMBUS_PAGE_SIZE) {
		guest_refuse("vmbus.open-gpadl-not-ring-shaped",
			     "OPENCHANNEL relid %u: GPADL %#x has %u ranges, "
			     "offset %u, %u bytes", m->child_relid, g->handle,
			     g->rangecount, g->ranges[0].byte_offset,
			     g->ranges[0].byte_count);
		return NULL;
	}
	npages = g->ranges[0].byte_count / VMBUS_PAGE_SIZE;
	/* Each ring: one header page and at least one data page. */
	if (off < 2 || (uint64_t)off + 2 > npages) {
		guest_refuse("vmbus.open-ring-offset-invalid",
			     "OPENCHANNEL relid %u: downstream offset %u pages "
			     "in a %u-page GPADL", m->child_relid, off, npages);
		return NULL;
	}
	if (m->target_vp >= h->synic->nr_vps) {
		guest_refuse("vmbus.open-target-vp-out-of-range",
			     "OPENCHANNEL relid %u: target_vp %u (of %u)",
			     m->child_relid, m->target_vp, h->synic->nr_vps);
		return NULL;
	}
	return g;
}

/* 0 = open, else the status for OPENCHANNEL_RESULT. */
static uint32_t chan_open(struct vmbus_channel *ch,
			  const struct vmbus_msg_open_channel *m)
{
	struct vmbus_host *h = ch->host;
	struct vmbus_gpadl *g;
	uint32_t off = m->downstream_ring_pageoffset, npages, status;

	if (ch->state == CHAN_OPEN) {
		guest_refuse("vmbus.channel-already-open",
			     "OPENCHANNEL relid %u: already open", ch->relid);
		return VMBUS_STATUS_FAILURE;
	}
	g = open_gpadl(h, m);
	if (!g)
		return VMBUS_STATUS_FAILURE;
	if (!ch->pkt_buf) {
		ch->pkt_buf = malloc(VMBUS_HOST_MAX_PACKET);
		if (!ch->pkt_buf) {
			log_err("vmbus: out of memory opening relid %u",
				ch->relid);
			return VMBUS_STATUS_FAILURE;
		}
	}
	npages = g->ranges[0].pfn_count;
	if (host_ring_attach(&ch->outbound, h->mem, g->pfns, off,
			     HOST_RING_READER, ch->relid) ||
	    host_ring_attach(&ch->inbound, h->mem, g->pfns + off, npages - off,
			     HOST_RING_WRITER, ch->relid))
		return VMBUS_STATUS_FAILURE;

	/* Open before asking the service: it may send on the channel from
	 * its open() callback. */
	ch->state = CHAN_OPEN;
	ch->broken = false;
	ch->target_vp = m->target_vp;
	ch->gpadl = g;
	g->used_by_relid = ch->relid;
	vmbus_chan_reset_data(ch);
	status = ch->svc.ops->open(ch->svc.ctx, ch);
	if (status) {
		log_info("vmbus: service %s refused to open relid %u: %#x",
			 ch->svc.name, ch->relid, status);
		ch->state = CHAN_OFFERED;
		ch->gpadl = NULL;
		g->used_by_relid = 0;
	}
	return status;
}

void vmbus_on_open_channel(struct vmbus_host *h, const struct vmbus_msg_ctx *ctx,
			   const void *msg, uint32_t size)
{
	const struct vmbus_msg_open_channel *m = msg;
	struct vmbus_channel *ch = vmbus_chan_by_relid(h, m->child_relid);
	struct vmbus_msg_open_result r = {
		.hdr.msgtype = VMBUS_MSG_OPENCHANNEL_RESULT,
		.child_relid = m->child_relid,
		.openid = m->openid,
		.status = VMBUS_STATUS_FAILURE,
	};

	(void)ctx;
	(void)size;
	if (!ch || !vmbus_chan_offered(ch))
		guest_refuse("vmbus.unknown-relid",
			     "OPENCHANNEL for relid %u, which is not offered",
			     m->child_relid);
	else
		r.status = chan_open(ch, m);
	/* Linux waits for this answer forever (facts §5.4): always send. */
	vmbus_send_msg(h, &r, sizeof(r));
}

/* ---- close ------------------------------------------------------------ */

void vmbus_chan_close(struct vmbus_channel *ch)
{
	if (ch->state != CHAN_OPEN)
		return;
	if (!ch->broken)
		ch->svc.ops->close(ch->svc.ctx, ch);
	ch->broken = false;
	if (ch->gpadl)
		ch->gpadl->used_by_relid = 0;   /* may now be torn down */
	ch->gpadl = NULL;
	ch->state = CHAN_OFFERED;
	vmbus_chan_reset_data(ch);
}

void vmbus_chan_break(struct vmbus_channel *ch)
{
	if (ch->state != CHAN_OPEN || ch->broken)
		return;
	log_warn("vmbus: relid %u (%s): ring malformed, channel closed",
		 ch->relid, ch->svc.name);
	ch->broken = true;
	ch->svc.ops->close(ch->svc.ctx, ch);
}

void vmbus_chan_disconnect(struct vmbus_channel *ch)
{
	vmbus_chan_close(ch);
	if (ch->state == CHAN_RESCINDED || ch->state == CHAN_GONE)
		ch->state = CHAN_GONE;
	else
		ch->state = CHAN_IDLE;
}

void vmbus_on_close_channel(struct vmbus_host *h,
			    const struct vmbus_msg_ctx *ctx, const void *msg,
			    uint32_t size)
{
	const struct vmbus_msg_relid *m = msg;
	struct vmbus_channel *ch = vmbus_chan_by_relid(h, m->child_relid);

	(void)ctx;
	(void)size;
	/* After a rescind Linux may still close its side; we already did. */
	if (ch && ch->state == CHAN_RESCINDED)
		return;
	if (!ch || ch->state != CHAN_OPEN) {
		guest_refuse("vmbus.close-channel-not-open",
			     "CLOSECHANNEL for relid %u, which is not open",
			     m->child_relid);
		return;
	}
	vmbus_chan_close(ch);       /* no reply (facts §5.4) */
}

/* ---- retarget, rescind, release --------------------------------------- */

void vmbus_on_modify_channel(struct vmbus_host *h,
			     const struct vmbus_msg_ctx *ctx, const void *msg,
			     uint32_t size)
{
	const struct vmbus_msg_modify_channel *m = msg;
	struct vmbus_channel *ch = vmbus_chan_by_relid(h, m->child_relid);
	struct vmbus_msg_modify_channel_response r = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = m->child_relid,
		.status = VMBUS_STATUS_FAILURE,
	};

	(void)ctx;
	(void)size;
	/* facts §5.2: MODIFYCHANNEL exists from 4.1 on. */
	if (h->version < VMBUS_VERSION_WIN10_V4_1) {
		guest_refuse("vmbus.modify-channel-unsupported",
			     "MODIFYCHANNEL at version %u.%u", h->version >> 16,
			     h->version & 0xffff);
		return;
	}
	if (!ch || ch->state != CHAN_OPEN)
		guest_refuse("vmbus.modify-channel-not-open",
			     "MODIFYCHANNEL for relid %u, which is not open",
			     m->child_relid);
	else if (m->target_vp >= h->synic->nr_vps)
		guest_refuse("vmbus.modify-target-vp-out-of-range",
			     "MODIFYCHANNEL relid %u: target_vp %u (of %u)",
			     m->child_relid, m->target_vp, h->synic->nr_vps);
	else {
		ch->target_vp = m->target_vp;
		r.status = 0;
	}
	/* The answer exists from 5.3 on (facts §5.1). */
	if (h->version >= VMBUS_VERSION_WIN10_V5_3)
		vmbus_send_msg(h, &r, sizeof(r));
}

int vmbus_rescind(struct vmbus_host *h, int service_index)
{
	struct vmbus_channel *ch;
	struct vmbus_msg_relid m = {
		.hdr.msgtype = VMBUS_MSG_RESCIND_CHANNELOFFER,
	};
	int rc = -1;

	if (!h)
		return -1;
	pthread_mutex_lock(&h->lock);
	if (service_index < 0 || (unsigned)service_index >= h->nr_chan)
		goto out;
	ch = &h->chan[service_index];
	if (ch->state == CHAN_IDLE) {
		/* Never offered on this connection: just never offer it. */
		ch->state = CHAN_GONE;
		goto out;
	}
	if (!vmbus_chan_offered(ch))
		goto out;
	vmbus_chan_close(ch);
	ch->state = CHAN_RESCINDED;
	m.child_relid = ch->relid;
	vmbus_send_msg(h, &m, sizeof(m));
	rc = 0;
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

void vmbus_on_relid_released(struct vmbus_host *h,
			     const struct vmbus_msg_ctx *ctx, const void *msg,
			     uint32_t size)
{
	const struct vmbus_msg_relid *m = msg;
	struct vmbus_channel *ch = vmbus_chan_by_relid(h, m->child_relid);

	(void)ctx;
	(void)size;
	if (!ch || ch->state != CHAN_RESCINDED) {
		guest_refuse("vmbus.relid-released-not-rescinded",
			     "RELID_RELEASED for relid %u, which was not "
			     "rescinded", m->child_relid);
		return;
	}
	ch->state = CHAN_GONE;
}

/* ---- the doorbell ----------------------------------------------------- */

uint16_t vmbus_chan_on_signal_event(struct vmbus_host *h, uint32_t conn_id,
				    uint16_t flag)
{
	struct vmbus_channel *ch = NULL;

	if (conn_id > VMBUS_CHANNEL_CONN_BASE)
		ch = vmbus_chan_by_relid(h, conn_id - VMBUS_CHANNEL_CONN_BASE);
	/* facts §3.3: Linux always signals flag 0 of the offer's id. */
	if (!ch || ch->state != CHAN_OPEN || flag != 0) {
		guest_refuse("vmbus.signal-unknown-connection",
			     "HvSignalEvent connection %#x flag %u: no open "
			     "channel", conn_id, flag);
		return HV_STATUS_INVALID_CONNECTION_ID;
	}
	h->stats.signals_in++;
	/* A broken channel's service is closed; the guest must close it. */
	if (!ch->broken)
		ch->svc.ops->signal(ch->svc.ctx, ch);
	return HV_STATUS_SUCCESS;
}
