// SPDX-License-Identifier: MIT
/*
 * The data path services use: packets in from the guest->host ring,
 * packets out to the host->guest ring, the signalling rules of facts §6.5
 * and one trace record per packet.
 *
 * A malformed ring "breaks" the channel: the service is closed at once and
 * every later call fails, while the guest still has to send CLOSECHANNEL.
 * Other channels are not affected.
 */
#include "vmbus/vmbus.h"

#include "vmbus/msg_names.h"
#include "vmbus/vmbus_internal.h"
#include "vmm/log.h"

#define DESC_BYTES ((uint32_t)sizeof(struct vmbus_packet_desc))

uint32_t vmbus_chan_relid(const struct vmbus_channel *ch)
{
	return ch->relid;
}

const char *vmbus_chan_name(const struct vmbus_channel *ch)
{
	return ch->svc.name ? ch->svc.name : "";
}

void vmbus_chan_reset_data(struct vmbus_channel *ch)
{
	ch->peeked_bytes = 0;
	ch->peek_traced = false;
}

static bool chan_usable(const struct vmbus_channel *ch)
{
	return ch->state == CHAN_OPEN && !ch->broken;
}

static void trace_packet(const struct vmbus_channel *ch, bool to_guest,
			 const struct vmbus_pkt *pkt)
{
	struct trace_rec r;

	if (!trace_begin(&r, to_guest ? TRACE_H2G : TRACE_G2H, (int)ch->relid,
			 NULL))
		return;
	trace_str(&r, "type", vmbus_pkt_type_name(pkt->desc.type));
	trace_u64(&r, "len", pkt->payload_len);
	trace_hex(&r, "trans_id", pkt->desc.trans_id);
	if (pkt->desc.flags)
		trace_hex(&r, "flags", pkt->desc.flags);
	if (ch->svc.ops->describe)
		ch->svc.ops->describe(ch->svc.ctx, to_guest, pkt, &r);
	trace_end(&r);
}

int vmbus_chan_peek(struct vmbus_channel *ch, struct vmbus_pkt *pkt)
{
	struct vmbus_host *h = ch->host;
	struct vmbus_packet_desc desc;
	uint32_t ring_bytes;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (!chan_usable(ch)) {
		rc = -1;
		goto out;
	}
	rc = host_ring_peek(&ch->outbound, ch->pkt_buf, VMBUS_HOST_MAX_PACKET,
			    &desc, &ring_bytes);
	if (rc < 0) {
		vmbus_chan_break(ch);
		goto out;
	}
	if (rc == 0) {
		vmbus_chan_reset_data(ch);
		goto out;
	}
	pkt->desc = desc;
	pkt->payload = ch->pkt_buf + (uint32_t)desc.offset8 * 8u;
	pkt->payload_len = ((uint32_t)desc.len8 - desc.offset8) * 8u;
	ch->peeked_bytes = ring_bytes;
	/* A service may peek the same packet again (e.g. after it could not
	 * answer for lack of room): trace it once. */
	if (!ch->peek_traced) {
		trace_packet(ch, false, pkt);
		ch->peek_traced = true;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

void vmbus_chan_consume(struct vmbus_channel *ch)
{
	struct vmbus_host *h = ch->host;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (!chan_usable(ch) || !ch->peeked_bytes)
		goto out;
	rc = host_ring_consume(&ch->outbound, ch->peeked_bytes);
	vmbus_chan_reset_data(ch);
	if (rc < 0) {
		vmbus_chan_break(ch);
		goto out;
	}
	h->stats.pkts_in++;
	/* The guest writer waits on pending_send_sz and now has room. */
	if (rc == 1)
		vmbus_chan_signal_guest(ch);
out:
	pthread_mutex_unlock(&h->lock);
}

void vmbus_chan_mask_interrupts(struct vmbus_channel *ch, bool masked)
{
	struct vmbus_host *h = ch->host;

	pthread_mutex_lock(&h->lock);
	if (chan_usable(ch))
		host_ring_set_interrupt_mask(&ch->outbound, masked);
	pthread_mutex_unlock(&h->lock);
}

uint32_t vmbus_chan_max_payload(const struct vmbus_channel *ch)
{
	struct vmbus_host *h = ch->host;
	uint32_t max = 0;

	pthread_mutex_lock(&h->lock);
	if (chan_usable(ch)) {
		max = host_ring_max_payload(&ch->inbound);
		if (max > VMBUS_HOST_MAX_PACKET - DESC_BYTES)
			max = VMBUS_HOST_MAX_PACKET - DESC_BYTES;
	}
	pthread_mutex_unlock(&h->lock);
	return max;
}

bool vmbus_chan_can_send(const struct vmbus_channel *ch, uint32_t len)
{
	struct vmbus_host *h = ch->host;
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = chan_usable(ch) && len <= VMBUS_HOST_MAX_PACKET - DESC_BYTES &&
	     host_ring_can_write(&ch->inbound, len);
	pthread_mutex_unlock(&h->lock);
	return ok;
}

int vmbus_chan_send(struct vmbus_channel *ch, uint16_t type, uint16_t flags,
		    uint64_t trans_id, const void *payload, uint32_t len)
{
	struct vmbus_host *h = ch->host;
	struct vmbus_packet_desc desc = {
		.type = type,
		.flags = flags,
		.trans_id = trans_id,
	};
	bool signal = false;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (!chan_usable(ch)) {
		rc = -2;
		goto out;
	}
	if ((len && !payload) || len > VMBUS_HOST_MAX_PACKET - DESC_BYTES ||
	    len > host_ring_max_payload(&ch->inbound)) {
		/* A service bug or a ring too small for this service: it
		 * could never go through, so do not wait for room. */
		log_err("vmbus: relid %u (%s): packet of %u bytes can never "
			"fit its ring", ch->relid, vmbus_chan_name(ch), len);
		rc = -2;
		goto out;
	}
	rc = host_ring_write(&ch->inbound, &desc, payload, len, &signal);
	if (rc == -2) {
		vmbus_chan_break(ch);
		goto out;
	}
	if (rc == 0) {
		struct vmbus_pkt pkt = {
			.desc = desc,
			.payload = payload,
			.payload_len = len,
		};

		h->stats.pkts_out++;
		trace_packet(ch, true, &pkt);
		/* Only empty -> non-empty and unmasked (facts §6.5). */
		if (signal)
			vmbus_chan_signal_guest(ch);
	}
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}
